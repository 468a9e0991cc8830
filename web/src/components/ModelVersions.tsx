import type { VersionPublic } from "../api/openapi";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { jobKindKey } from "./TrainingJobs";

const COLUMNS = ["r@1", "r@5", "mrr@10", "ndcg@10"];

type Runs = Record<string, Record<string, number>>;

/** The metric runs of a version (vector, hybrid, reranked ...): the object-valued entries of its metrics. */
function runsOf(metrics: Record<string, unknown>): Runs {
  return Object.fromEntries(
    Object.entries(metrics).filter(([, value]) => value !== null && typeof value === "object"),
  ) as Runs;
}

const fixed = (value: number | undefined) => (typeof value === "number" ? value.toFixed(3) : "–");

/** Held-out metrics of one version beside the champion's on the same data. */
function MetricsTable({ version }: { version: VersionPublic }) {
  const { t } = useI18n();
  const runs = runsOf(version.metrics);
  if (Object.keys(runs).length === 0) return null; // measured on no held-out questions
  const before = runsOf(version.champion_metrics);
  const against = String(version.champion_metrics.name ?? "");
  return (
    <table className="metrics" data-testid="version-metrics">
      <thead>
        <tr>
          <th>{t("models.run")}</th>
          {COLUMNS.map((name) => (
            <th key={name} className="num">{name.toUpperCase()}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {Object.entries(runs).map(([run, values]) => (
          <tr key={run} data-run={run}>
            <td>{run}</td>
            {COLUMNS.map((name) => (
              <td key={name} className="num" title={against ? `${against}: ${fixed(before[run]?.[name])}` : undefined}>
                {fixed(values[name])}
                {before[run]?.[name] !== undefined && <span className="muted small"> ({fixed(before[run][name])})</span>}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const VECTORS: Record<string, MessageKey> = {
  none: "models.vectors.none",
  queued: "models.vectors.queued",
  embedding: "models.vectors.embedding",
  ready: "models.vectors.ready",
  stale: "models.vectors.stale",
  failed: "models.vectors.failed",
};

/** A fine-tuned bi-encoder's method and the state of its vectors of the knowledge base, with the action
 * that starts serving it (challenger at 0% and a re-embed job). */
function BiEncoder({ version, busy, onServe }: { version: VersionPublic; busy: boolean; onServe: (id: string) => void }) {
  const { t } = useI18n();
  const state = version.vectors_state || "none";
  const percent = Math.round((version.vectors_progress ?? 0) * 100);
  return (
    <p className="row small" data-testid="bi-encoder" data-vectors={state}>
      <span className="badge" data-testid="model-method">{t(version.metrics.method === "lora" ? "models.method.lora" : "models.method.full")}</span>
      <span className={state === "failed" ? "warn grow" : "muted grow"} data-testid="vectors-state">
        {t(VECTORS[state] ?? "models.vectors.none", { n: percent })}
      </span>
      {state === "embedding" && (
        <span className="meter">
          <span className="meter-fill" style={{ width: `${percent}%` }} />
        </span>
      )}
      {version.aliases.length === 0 && (
        <button type="button" disabled={busy} onClick={() => onServe(version.id)} data-testid="serve-version">
          {t("models.serve")}
        </button>
      )}
    </p>
  );
}

interface Props {
  versions: VersionPublic[];
  busy: boolean;
  onServe: (id: string) => void;
}

/** The tenant's registered versions, newest first: aliases, held-out metrics and online signals. */
export function ModelVersions({ versions, busy, onServe }: Props) {
  const { t } = useI18n();
  if (versions.length === 0) return <p className="muted" data-testid="versions-empty">{t("models.noVersions")}</p>;
  return (
    <div className="versions">
      {versions.map((version) => (
        <section key={version.id} className="card" data-testid="model-version" data-version={version.version} data-aliases={version.aliases.join(",")} data-kind={version.kind}>
          <header className="row">
            <strong>v{version.version}</strong>
            <span className="badge subtle" data-testid="version-kind">{t(jobKindKey(version.kind))}</span>
            {version.aliases.map((alias) => (
              <span key={alias} className={`badge ${alias}`}>{t(alias === "champion" ? "models.champion" : "models.challenger")}</span>
            ))}
            <span className="muted small grow">
              {t("models.trainedIn", { s: version.training_s.toFixed(1) })} · {new Date(version.created_at).toLocaleString()} ·{" "}
              <code title={version.artifact_sha256}>{version.artifact_sha256.slice(0, 12)}</code>
            </span>
          </header>
          {version.metrics.kind === "transformer" && <BiEncoder version={version} busy={busy} onServe={onServe} />}
          <MetricsTable version={version} />
          <p className="muted small">
            {t("models.against", { name: String(version.champion_metrics.name ?? "base"), n: Number(version.metrics.held_out ?? 0) })}
            {" · "}
            {t("models.signals", {
              answers: version.signals.answers ?? 0,
              noAnswer: ((version.signals.no_answer_rate ?? 0) * 100).toFixed(0),
              p95: Math.round(version.signals.latency_p95_ms ?? 0),
              down: ((version.signals.thumbs_down_rate ?? 0) * 100).toFixed(0),
            })}
          </p>
        </section>
      ))}
    </div>
  );
}
