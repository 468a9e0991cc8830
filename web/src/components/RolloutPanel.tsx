import { ArrowUpCircle, Undo2 } from "lucide-react";
import type { ModelsPublic } from "../api/openapi";
import { useI18n } from "../i18n";

interface Props {
  models: ModelsPublic;
  busy: boolean;
  onPromote: () => void;
  onRollback: () => void;
}

/** Who serves: the champion, the challenger and its share of traffic, with promote and rollback. */
export function RolloutPanel({ models, busy, onPromote, onRollback }: Props) {
  const { t } = useI18n();
  const name = (id: string | null) => {
    const version = models.versions.find((v) => v.id === id);
    return version ? `v${version.version}` : t("models.base");
  };
  const percent = Number(models.rollout.percent ?? 0);
  const state = String(models.rollout.state ?? "none");
  const reason = String(models.rollout.reason ?? "");
  return (
    <section className="card rollout" data-testid="rollout" data-state={state} data-percent={percent}>
      <div className="row">
        <span>
          {t("models.champion")}: <strong data-testid="rollout-champion">{name(models.champion)}</strong>
        </span>
        <span>
          {t("models.challenger")}:{" "}
          <strong data-testid="rollout-challenger">{models.challenger ? name(models.challenger) : t("models.none")}</strong>
        </span>
        {models.challenger && (
          <span className="meter" title={t("models.share")}>
            <span className="meter-fill" style={{ width: `${percent}%` }} />
            <span data-testid="rollout-percent">{t("models.percent", { n: percent })}</span>
          </span>
        )}
        <span className="muted small">{t("models.state", { state })}</span>
      </div>
      {reason && <p className="muted small" data-testid="rollout-reason">{reason}</p>}
      <div className="row">
        <button type="button" className="primary" disabled={busy || !models.challenger} onClick={onPromote} data-testid="promote">
          <ArrowUpCircle size={14} /> {percent > 0 ? t("models.promoteNext") : t("models.promote")}
        </button>
        <button type="button" disabled={busy || (!models.challenger && !models.champion)} onClick={onRollback} data-testid="rollback">
          <Undo2 size={14} /> {t("models.rollback")}
        </button>
      </div>
    </section>
  );
}
