import type { ParseStatus } from "../api/types";
import { useI18n } from "../i18n";
import { STAGES, stageProgress } from "../lib/stages";

export function StatusBadge({ status }: { status: ParseStatus }) {
  const { t } = useI18n();
  return (
    <span className={`badge status-${status}`} data-testid="parse-status" data-status={status}>
      {t(`status.${status}`)}
    </span>
  );
}

/** A stepper through the ingest stages with the current one highlighted. */
export function StageProgress({ status }: { status: ParseStatus }) {
  const { t } = useI18n();
  if (status === "draft") return null;
  const current = STAGES.indexOf(status);
  return (
    <div className="stages" role="progressbar" aria-valuenow={Math.round(stageProgress(status) * 100)}>
      {STAGES.slice(1).map((stage, i) => {
        const index = i + 1;
        const state = status === "failed" ? "failed" : index < current || status === "completed" ? "done" : index === current ? "active" : "todo";
        return (
          <span key={stage} className={`stage ${state}`} title={t(`status.${stage}`)}>
            {t(`status.${stage}`)}
          </span>
        );
      })}
    </div>
  );
}
