// Own models: the tenant's registered versions (query adapter + feature reranker, or a cross-encoder
// reranker) with their held-out metrics, the canary rollout (promote, rollback), training jobs (either kind)
// with progress and logs (polled while one runs) and each knowledge base's field
// tagger (entity F1, train, promote, roll back).
import { Play } from "lucide-react";
import { useEffect, useState } from "react";
import { useApi } from "../api/context";
import type { ModelsPublic } from "../api/openapi";
import { FieldTaggers } from "../components/FieldTaggers";
import { ModelVersions } from "../components/ModelVersions";
import { RolloutPanel } from "../components/RolloutPanel";
import { ACTIVE_JOB, TrainingJobs } from "../components/TrainingJobs";
import { useI18n } from "../i18n";
import { useLoad } from "../lib/useLoad";

const POLL_MS = 1500;

export function ModelsPage() {
  const { api } = useApi();
  const { t } = useI18n();
  const models = useLoad(() => api.models(), [api]);
  const jobs = useLoad(() => api.trainingJobs(), [api]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const running = (jobs.data ?? []).some((job) => ACTIVE_JOB.has(job.status));

  useEffect(() => {
    if (!running) return;
    const timer = window.setInterval(() => {
      void jobs.reload();
      void models.reload(); // a re-embed job's progress shows on its version
    }, POLL_MS);
    // When the job ends, the versions and the rollout have changed too.
    return () => {
      window.clearInterval(timer);
      void models.reload();
    };
  }, [running]);

  const act = async (action: () => Promise<unknown>, then: (value: unknown) => void = () => undefined) => {
    setBusy(true);
    setError("");
    try {
      then(await action());
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const setModels = (value: unknown) => models.setData(value as ModelsPublic);
  const data = models.data;

  return (
    <div className="page" data-testid="models-page">
      <h1>{t("models.title")}</h1>
      <p className="muted">{t("models.intro")}</p>
      {(models.error || jobs.error || error) && <p className="error" data-testid="models-error">{error || models.error || jobs.error}</p>}
      {data && (
        <>
          <p className="small" data-testid="training-data">
            {t("models.data", { feedback: data.data.feedback ?? 0, pairs: data.data.labelled_pairs ?? 0 })}
            {!data.training_consent && <span className="warn"> · {t("models.noConsent")}</span>}
          </p>
          <h2>{t("models.rollout")}</h2>
          <RolloutPanel
            models={data}
            busy={busy}
            onPromote={() => void act(() => api.promoteModel(), setModels)}
            onRollback={() => void act(() => api.rollbackModel(t("models.rollbackReason")), setModels)}
          />
          <div className="row">
            <h2 className="grow">{t("models.jobs")}</h2>
            <button
              type="button"
              className="primary"
              disabled={busy || running || !data.training_consent}
              onClick={() => void act(() => api.startTraining(), () => void jobs.reload())}
              data-testid="start-training"
            >
              <Play size={14} /> {t("models.start")}
            </button>
            <button
              type="button"
              disabled={busy || running || !data.training_consent}
              title={t("models.crossEncoderHint")}
              onClick={() => void act(() => api.startTraining({ kind: "cross_encoder" }), () => void jobs.reload())}
              data-testid="start-cross-encoder"
            >
              <Play size={14} /> {t("models.startCrossEncoder")}
            </button>
          </div>
          <TrainingJobs jobs={jobs.data ?? []} onCancel={(id) => void act(() => api.cancelTraining(id), () => void jobs.reload())} />
          <h2>{t("models.versions")}</h2>
          <ModelVersions versions={data.versions} busy={busy} onServe={(id) => void act(() => api.serveModel(id), (value) => {
            setModels(value);
            void jobs.reload();
          })} />
          <h2>{t("models.taggers")}</h2>
          <p className="muted small">{t("models.taggersIntro")}</p>
          <FieldTaggers
            taggers={data.taggers ?? []}
            busy={busy}
            canTrain={!running && data.training_consent}
            onTrain={(id) => void act(() => api.startTraining({ kind: "field_tagger", knowledge_base_id: id }), () => void jobs.reload())}
            onPromote={(id) => void act(() => api.promoteTagger(id), setModels)}
            onRollback={(id) => void act(() => api.rollbackTagger(id), setModels)}
          />
        </>
      )}
    </div>
  );
}
