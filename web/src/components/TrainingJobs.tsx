import { X } from "lucide-react";
import type { JobPublic } from "../api/openapi";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";

export const ACTIVE_JOB = new Set(["queued", "running"]);

const KIND_KEYS: Record<string, MessageKey> = {
  field_tagger: "models.kind.field_tagger",
  cross_encoder: "models.kind.cross_encoder",
  reembed: "models.kind.reembed",
};

/** The label key of a job's or a version's kind (retrieval unless it names another). */
export const jobKindKey = (kind: unknown): MessageKey =>
  (typeof kind === "string" && KIND_KEYS[kind]) || "models.kind.retrieval";

interface Props {
  jobs: JobPublic[];
  onCancel: (id: string) => void;
}

/** Training jobs, newest first: status, progress, the log, and cancel while a job is queued or running. */
export function TrainingJobs({ jobs, onCancel }: Props) {
  const { t } = useI18n();
  if (jobs.length === 0) return <p className="muted" data-testid="jobs-empty">{t("models.noJobs")}</p>;
  return (
    <ul className="jobs">
      {jobs.map((job) => (
        <li key={job.id} data-testid="training-job" data-status={job.status}>
          <div className="row">
            <strong data-testid="job-status">{job.status}</strong>
            <span className="muted small" data-testid="job-kind">
              {t(jobKindKey(job.parameters?.kind))}
            </span>
            <span className="meter">
              <span className="meter-fill" style={{ width: `${Math.round(job.progress * 100)}%` }} />
              <span data-testid="job-progress">{Math.round(job.progress * 100)}%</span>
            </span>
            <span className="muted small grow">{new Date(job.created_at).toLocaleString()}</span>
            {ACTIVE_JOB.has(job.status) && (
              <button type="button" className="danger" disabled={job.cancel_requested} onClick={() => onCancel(job.id)} data-testid="job-cancel">
                <X size={14} /> {job.cancel_requested ? t("models.cancelling") : t("common.cancel")}
              </button>
            )}
          </div>
          {job.error && <p className="error small" data-testid="job-error">{job.error}</p>}
          <details open={ACTIVE_JOB.has(job.status)}>
            <summary className="small">{t("models.log", { n: job.logs.length })}</summary>
            <pre className="job-log" data-testid="job-log">{job.logs.join("\n")}</pre>
          </details>
        </li>
      ))}
    </ul>
  );
}
