import { Play, RotateCcw, Star } from "lucide-react";
import type { TaggerPublic, TaggerVersionPublic } from "../api/openapi";
import { useI18n } from "../i18n";

interface Props {
  taggers: TaggerPublic[];
  busy: boolean;
  canTrain: boolean;
  onTrain: (knowledgeBaseId: string) => void;
  onPromote: (knowledgeBaseId: string) => void;
  onRollback: (knowledgeBaseId: string) => void;
}

interface Entity {
  f1?: number;
  precision?: number;
  recall?: number;
}

const ALIAS_NAMES: Record<string, "models.champion" | "models.challenger"> = {
  champion: "models.champion",
  challenger: "models.challenger",
};
const fixed = (value: number | undefined) => (typeof value === "number" ? value.toFixed(3) : "–");
const entityOf = (metrics: Record<string, unknown>): Entity => (metrics.entity ?? {}) as Entity;

function TaggerVersion({ version }: { version: TaggerVersionPublic }) {
  const { t } = useI18n();
  const entity = entityOf(version.metrics);
  const champion = entityOf(version.champion_metrics);
  const against = String(version.champion_metrics.name ?? "none");
  return (
    <li className="row" data-testid="tagger-version" data-version={version.version} data-aliases={version.aliases.join(",")}>
      <strong>v{version.version}</strong>
      {version.aliases.map((alias) => (
        <span key={alias} className={`badge ${alias}`}>{t(ALIAS_NAMES[alias] ?? "models.previous")}</span>
      ))}
      <span data-testid="tagger-f1">
        {t("models.entityF1")} {fixed(entity.f1)}
        <span className="muted small"> ({against === "none" ? t("models.none") : against}: {fixed(champion.f1)})</span>
      </span>
      <span className="muted small grow">
        P {fixed(entity.precision)} · R {fixed(entity.recall)} ·{" "}
        {t("models.heldOutBlocks", { n: Number(version.metrics.held_out ?? 0) })} · {t("models.trainedIn", { s: version.training_s.toFixed(1) })} ·{" "}
        <code title={version.artifact_sha256}>{version.artifact_sha256.slice(0, 12)}</code>
      </span>
    </li>
  );
}

/** Each knowledge base with a field schema: its reviewed documents, its tagger versions with held-out
 * entity F1, and train / promote / roll back. */
export function FieldTaggers({ taggers, busy, canTrain, onTrain, onPromote, onRollback }: Props) {
  const { t } = useI18n();
  if (taggers.length === 0) return <p className="muted" data-testid="taggers-empty">{t("models.noTaggers")}</p>;
  return (
    <div className="versions">
      {taggers.map((tagger) => {
        const hasChallenger = tagger.versions.some((v) => v.aliases.includes("challenger"));
        const hasChampion = tagger.versions.some((v) => v.aliases.includes("champion"));
        return (
          <section key={tagger.knowledge_base_id} className="card" data-testid="field-tagger" data-kb={tagger.knowledge_base_id}>
            <header className="row">
              <strong className="grow">{tagger.name}</strong>
              <span className="muted small" data-testid="tagger-reviewed">{t("models.reviewedDocs", { n: tagger.reviewed_documents })}</span>
              <button type="button" className="primary" disabled={busy || !canTrain} onClick={() => onTrain(tagger.knowledge_base_id)} data-testid="train-tagger">
                <Play size={14} /> {t("models.trainTagger")}
              </button>
              <button type="button" disabled={busy || !hasChallenger} onClick={() => onPromote(tagger.knowledge_base_id)} data-testid="promote-tagger">
                <Star size={14} /> {t("models.promoteTagger")}
              </button>
              <button type="button" className="danger" disabled={busy || !(hasChallenger || hasChampion)} onClick={() => onRollback(tagger.knowledge_base_id)} data-testid="rollback-tagger">
                <RotateCcw size={14} /> {t("models.rollback")}
              </button>
            </header>
            {tagger.versions.length === 0 ? (
              <p className="muted small">{t("models.noTaggerVersions")}</p>
            ) : (
              <ul className="jobs">{tagger.versions.map((version) => <TaggerVersion key={version.id} version={version} />)}</ul>
            )}
          </section>
        );
      })}
    </div>
  );
}
