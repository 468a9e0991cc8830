import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiProvider } from "../api/context";
import type { JobPublic, ModelsPublic, TaggerPublic, VersionPublic } from "../api/openapi";
import type { Reference } from "../api/types";
import { I18nProvider } from "../i18n";
import { emptyAnswer } from "../lib/answer";
import { useFeedback } from "../lib/useFeedback";
import { ModelsPage } from "../pages/ModelsPage";
import { AnswerView } from "./AnswerView";
import { FieldTaggers } from "./FieldTaggers";
import { ModelVersions } from "./ModelVersions";
import { RolloutPanel } from "./RolloutPanel";
import { TrainingJobs } from "./TrainingJobs";

const wrap = (node: ReactNode) =>
  render(
    <I18nProvider>
      <ApiProvider>{node}</ApiProvider>
    </I18nProvider>,
  );

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  localStorage.clear();
});

const reference: Reference = {
  id: "c1", content: "Seoul is the capital.", knowledge_id: "doc-1", knowledge_title: "Korea facts", chunk_index: 0,
  start_at: 0, end_at: 20, seq: 0, score: 0.8, match_type: 0, metadata: {},
};

const version = (patch: Partial<VersionPublic>): VersionPublic => ({
  id: "v-1", version: 1, kind: "retrieval", snapshot_id: "s1", job_id: "j1", artifact_sha256: "ab".repeat(32), training_s: 3.25,
  metrics: { vector: { "r@1": 0.5, "r@5": 0.75, "mrr@10": 0.6, "ndcg@10": 0.65 }, held_out: 12 },
  champion_metrics: { vector: { "r@1": 0.25, "r@5": 0.5, "mrr@10": 0.4, "ndcg@10": 0.45 }, name: "base" },
  aliases: [], signals: { answers: 3, no_answer_rate: 0, latency_p95_ms: 120, thumbs: 1, thumbs_down_rate: 0 },
  created_at: "2026-12-06T10:00:00Z", ...patch,
});

const models = (patch: Partial<ModelsPublic>): ModelsPublic => ({
  versions: [version({ aliases: ["challenger"] })], champion: null, challenger: "v-1",
  rollout: { percent: 0, state: "none", reason: "" }, base_signals: {}, training_consent: true,
  data: { feedback: 2, labelled_pairs: 0 }, ...patch,
});

const job = (patch: Partial<JobPublic>): JobPublic => ({
  id: "j1", status: "running", parameters: {}, progress: 0.4, logs: ["snapshot: 40 pairs", "training"], error: "", snapshot_id: "",
  version_id: "", attempts: 1, cancel_requested: false, created_at: "2026-12-06T10:00:00Z", updated_at: "2026-12-06T10:00:00Z",
  ...patch,
});

function RatedAnswer() {
  const feedback = useFeedback();
  const answer = { ...emptyAnswer(), status: "done" as const, messageId: "m-1", content: "Seoul [1].", references: [reference] };
  const noop = async () => undefined;
  return (
    <AnswerView answer={answer} onCite={vi.fn()} onRetry={vi.fn()} onAddToKb={vi.fn()} onTimings={noop}
      onModelPrompt={async () => null} feedback={feedback.forAnswer(answer.messageId)} />
  );
}

describe("feedback thumbs", () => {
  it("sends the rating of a citation, shows it chosen, and a second click changes it", async () => {
    const sent: unknown[] = [];
    vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
      expect(url).toContain("/api/v1/ml/feedback");
      const body = JSON.parse(String(init.body)) as { message_id: string; citation: number; rating: string };
      sent.push(body);
      return new Response(JSON.stringify({ success: true, data: { ...body, model_version_id: "" } }));
    });
    wrap(<RatedAnswer />);
    fireEvent.click(screen.getByTestId("thumbs-1-up"));
    await waitFor(() => expect(screen.getByTestId("thumbs-1").getAttribute("data-rating")).toBe("up"));
    expect(screen.getByTestId("thumbs-1-up").getAttribute("aria-pressed")).toBe("true");
    expect(screen.getByTestId("thumbs-answer").getAttribute("data-rating")).toBe("");
    fireEvent.click(screen.getByTestId("thumbs-1-down"));
    await waitFor(() => expect(screen.getByTestId("thumbs-1").getAttribute("data-rating")).toBe("down"));
    fireEvent.click(screen.getByTestId("thumbs-answer-up"));
    await waitFor(() => expect(screen.getByTestId("thumbs-answer").getAttribute("data-rating")).toBe("up"));
    expect(sent).toEqual([
      { message_id: "m-1", citation: 1, rating: "up" },
      { message_id: "m-1", citation: 1, rating: "down" },
      { message_id: "m-1", citation: 0, rating: "up" },
    ]);
  });

  it("keeps the old state when the gateway refuses the rating", async () => {
    vi.stubGlobal("fetch", async () => new Response(JSON.stringify({ success: false, error: { code: "not_found", message: "no such answer" } }), { status: 404 }));
    wrap(<RatedAnswer />);
    fireEvent.click(screen.getByTestId("thumbs-answer-down"));
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.getByTestId("thumbs-answer").getAttribute("data-rating")).toBe("");
  });

  it("offers no thumbs before the answer is stored", () => {
    const answer = { ...emptyAnswer(), status: "done" as const, content: "x", references: [reference] };
    function Unstored() {
      const feedback = useFeedback();
      return <AnswerView answer={answer} onCite={vi.fn()} onRetry={vi.fn()} onAddToKb={vi.fn()} onTimings={async () => undefined}
        onModelPrompt={async () => null} feedback={feedback.forAnswer("")} />;
    }
    wrap(<Unstored />);
    expect(screen.queryByTestId("thumbs-answer")).toBeNull();
  });
});

describe("models", () => {
  it("shows each run's held-out metrics beside the champion's", () => {
    wrap(<ModelVersions versions={[version({ aliases: ["champion"] })]} busy={false} onServe={vi.fn()} />);
    const row = document.querySelector('[data-run="vector"]');
    expect(row?.textContent).toContain("0.500");
    expect(row?.textContent).toContain("(0.250)");
    expect(screen.getByTestId("model-version").getAttribute("data-aliases")).toBe("champion");
  });

  it("shows a LoRA bi-encoder's re-embedding progress and offers to serve it until it has an alias", () => {
    const onServe = vi.fn();
    const lora = version({ metrics: { kind: "transformer", method: "lora", vector: { "mrr@10": 0.5 } }, vectors_state: "embedding", vectors_progress: 0.42 });
    const { rerender } = wrap(<ModelVersions versions={[lora]} busy={false} onServe={onServe} />);
    expect(screen.getByTestId("model-method").textContent).toBe("LoRA bi-encoder");
    expect(screen.getByTestId("bi-encoder").getAttribute("data-vectors")).toBe("embedding");
    expect(screen.getByTestId("vectors-state").textContent).toContain("42%");
    fireEvent.click(screen.getByTestId("serve-version"));
    expect(onServe).toHaveBeenCalledWith(lora.id);
    rerender(
      <I18nProvider>
        <ApiProvider>
          <ModelVersions versions={[{ ...lora, aliases: ["challenger"], vectors_state: "ready", vectors_progress: 1 }]} busy={false} onServe={onServe} />
        </ApiProvider>
      </I18nProvider>,
    );
    expect(screen.getByTestId("vectors-state").textContent).toContain("complete");
    expect(screen.queryByTestId("serve-version")).toBeNull();
  });

  it("shows the challenger's share and disables promote without a challenger", () => {
    const onPromote = vi.fn();
    const { rerender } = wrap(<RolloutPanel models={models({ rollout: { percent: 10, state: "canary", reason: "" } })} busy={false} onPromote={onPromote} onRollback={vi.fn()} />);
    expect(screen.getByTestId("rollout-challenger").textContent).toBe("v1");
    expect(screen.getByTestId("rollout-percent").textContent).toContain("10%");
    fireEvent.click(screen.getByTestId("promote"));
    expect(onPromote).toHaveBeenCalledOnce();
    rerender(
      <I18nProvider>
        <ApiProvider>
          <RolloutPanel models={models({ challenger: null, champion: "v-1" })} busy={false} onPromote={onPromote} onRollback={vi.fn()} />
        </ApiProvider>
      </I18nProvider>,
    );
    expect((screen.getByTestId("promote") as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId("rollout-champion").textContent).toBe("v1");
  });

  it("offers cancel only while a job is queued or running", () => {
    const onCancel = vi.fn();
    wrap(<TrainingJobs jobs={[job({}), job({ id: "j0", status: "succeeded", progress: 1 })]} onCancel={onCancel} />);
    expect(screen.getAllByTestId("job-cancel")).toHaveLength(1);
    fireEvent.click(screen.getByTestId("job-cancel"));
    expect(onCancel).toHaveBeenCalledWith("j1");
    expect(screen.getAllByTestId("job-progress").map((p) => p.textContent)).toEqual(["40%", "100%"]);
    expect(screen.getAllByTestId("job-log")[0].textContent).toContain("snapshot: 40 pairs");
  });

  it("polls a running job until it finishes, then shows the new versions", async () => {
    let jobPolls = 0;
    let modelLoads = 0;
    vi.stubGlobal("fetch", async (url: string) => {
      if (url.endsWith("/ml/training-jobs")) {
        jobPolls += 1;
        const done = jobPolls >= 3;
        return new Response(JSON.stringify({ success: true, data: [job(done ? { status: "succeeded", progress: 1 } : {})] }));
      }
      modelLoads += 1;
      const data = modelLoads === 1 ? models({ versions: [], challenger: null }) : models({});
      return new Response(JSON.stringify({ success: true, data }));
    });
    wrap(<ModelsPage />);
    await waitFor(() => expect(screen.getByTestId("versions-empty")).toBeTruthy());
    expect((screen.getByTestId("start-training") as HTMLButtonElement).disabled).toBe(true); // a job runs
    await waitFor(() => expect(screen.getByTestId("training-job").getAttribute("data-status")).toBe("succeeded"), { timeout: 6000 });
    await waitFor(() => expect(screen.getByTestId("rollout-challenger").textContent).toBe("v1"));
    expect(jobPolls).toBeGreaterThanOrEqual(3);
  }, 10_000);

  it("labels each version's kind and starts a cross-encoder job with its kind", async () => {
    const started: unknown[] = [];
    vi.stubGlobal("fetch", async (url: string, init?: RequestInit) => {
      if (init?.method === "POST") {
        started.push(JSON.parse(String(init.body)));
        return new Response(JSON.stringify({ success: true, data: job({ status: "queued", parameters: { kind: "cross_encoder" } }) }));
      }
      const data = url.endsWith("/ml/training-jobs") ? [] : models({ versions: [version({ id: "v-2", version: 2, kind: "cross_encoder" }), version({})] });
      return new Response(JSON.stringify({ success: true, data }));
    });
    wrap(<ModelsPage />);
    await waitFor(() => expect(screen.getAllByTestId("version-kind")).toHaveLength(2));
    expect(screen.getAllByTestId("version-kind").map((label) => label.textContent)).toEqual(["cross-encoder reranker", "retrieval"]);
    fireEvent.click(screen.getByTestId("start-cross-encoder"));
    await waitFor(() => expect(started).toEqual([{ kind: "cross_encoder" }]));
  });

  it("refuses to start training without the tenant's consent", async () => {
    vi.stubGlobal("fetch", async (url: string) => {
      const data = url.endsWith("/ml/training-jobs") ? [] : models({ training_consent: false, versions: [], challenger: null });
      return new Response(JSON.stringify({ success: true, data }));
    });
    wrap(<ModelsPage />);
    await waitFor(() => expect(screen.getByTestId("jobs-empty")).toBeTruthy());
    expect((screen.getByTestId("start-training") as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId("training-data").textContent).toContain("consent");
  });
});


describe("FieldTaggers", () => {
  const tagger = (aliases: string[]): TaggerPublic => ({
    knowledge_base_id: "kb-1", name: "명세서", reviewed_documents: 30,
    versions: [{
      id: "t-2", version: 2, snapshot_id: "s", job_id: "j", artifact_sha256: "cd".repeat(32), training_s: 2.5,
      metrics: { entity: { f1: 0.975, precision: 1, recall: 0.95 }, held_out: 14 },
      champion_metrics: { entity: { f1: 0.5 }, name: "v1" }, aliases, created_at: "2026-12-06T10:00:00Z",
    }],
  });

  it("shows entity F1 beside the champion's and promotes the challenger of its knowledge base", () => {
    const onPromote = vi.fn();
    wrap(<FieldTaggers taggers={[tagger(["challenger"])]} busy={false} canTrain onTrain={vi.fn()} onPromote={onPromote} onRollback={vi.fn()} />);
    expect(screen.getByTestId("tagger-f1").textContent).toContain("0.975");
    expect(screen.getByTestId("tagger-f1").textContent).toContain("v1: 0.500");
    expect(screen.getByTestId("tagger-reviewed").textContent).toContain("30");
    fireEvent.click(screen.getByTestId("promote-tagger"));
    expect(onPromote).toHaveBeenCalledWith("kb-1");
  });

  it("offers no promote without a challenger and no training without consent", () => {
    wrap(<FieldTaggers taggers={[tagger(["champion"])]} busy={false} canTrain={false} onTrain={vi.fn()} onPromote={vi.fn()} onRollback={vi.fn()} />);
    expect((screen.getByTestId("promote-tagger") as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId("train-tagger") as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId("rollback-tagger") as HTMLButtonElement).disabled).toBe(false);
  });
});
