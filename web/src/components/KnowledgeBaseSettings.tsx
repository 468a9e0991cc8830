import { useState, type FormEvent } from "react";
import { useApi } from "../api/context";
import type { KnowledgeBase, RegisteredModel } from "../api/types";
import { useI18n } from "../i18n";
import { useLoad } from "../lib/useLoad";

const escapeSeparator = (s: string) => s.replace(/\n/g, "\\n").replace(/\t/g, "\\t");
const unescapeSeparator = (s: string) => s.replace(/\\n/g, "\n").replace(/\\t/g, "\t");

export function KnowledgeBaseSettings({ kb, onSaved }: { kb: KnowledgeBase; onSaved: (kb: KnowledgeBase) => void }) {
  const { api } = useApi();
  const { t } = useI18n();
  const models = useLoad(() => api.listModels(), [api]);
  const [form, setForm] = useState({
    name: kb.name,
    description: kb.description,
    chunk_size: kb.chunking_config?.chunk_size ?? 512,
    chunk_overlap: kb.chunking_config?.chunk_overlap ?? 50,
    separators: (kb.chunking_config?.separators ?? []).map(escapeSeparator).join("\n"),
    embedding_model_id: kb.embedding_model_id,
    summary_model_id: kb.summary_model_id,
    rerank_model_id: kb.rerank_model_id,
    vlm_model_id: kb.vlm_model_id,
    retention_days: kb.retention_days == null ? "" : String(kb.retention_days),
  });
  const [message, setMessage] = useState("");
  const [error, setError] = useState("");
  const set = (patch: Partial<typeof form>) => setForm((f) => ({ ...f, ...patch }));

  const save = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const saved = await api.updateKnowledgeBase(kb.id, {
        name: form.name,
        description: form.description,
        chunking_config: {
          chunk_size: Number(form.chunk_size),
          chunk_overlap: Number(form.chunk_overlap),
          separators: form.separators.split("\n").filter(Boolean).map(unescapeSeparator),
        },
        summary_model_id: form.summary_model_id,
        rerank_model_id: form.rerank_model_id,
        vlm_model_id: form.vlm_model_id,
        retention_days: form.retention_days ? Number(form.retention_days) : null,
      });
      onSaved(saved);
      setError("");
      setMessage(t("kb.saved"));
    } catch (e) {
      setMessage("");
      setError((e as Error).message);
    }
  };

  // The embedding model is fixed once a knowledge base exists: its vectors were made with it.
  const modelSelect = (label: string, field: keyof typeof form, type: RegisteredModel["type"], locked = false) => (
    <label>
      {label}
      <select value={String(form[field])} disabled={locked} onChange={(e) => set({ [field]: e.target.value })}>
        <option value="">{t("kb.defaultModel")}</option>
        {models.data
          ?.filter((m) => m.type === type)
          .map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}
            </option>
          ))}
      </select>
    </label>
  );

  return (
    <form className="card form" onSubmit={save} data-testid="kb-settings">
      <label>
        {t("kb.name")}
        <input value={form.name} onChange={(e) => set({ name: e.target.value })} />
      </label>
      <label>
        {t("kb.description")}
        <input value={form.description} onChange={(e) => set({ description: e.target.value })} />
      </label>
      <div className="row">
        <label className="grow">
          {t("kb.chunkSize")}
          <input
            type="number"
            min={64}
            max={8192}
            value={form.chunk_size}
            onChange={(e) => set({ chunk_size: Number(e.target.value) })}
            data-testid="chunk-size"
          />
        </label>
        <label className="grow">
          {t("kb.chunkOverlap")}
          <input type="number" min={0} max={2048} value={form.chunk_overlap} onChange={(e) => set({ chunk_overlap: Number(e.target.value) })} />
        </label>
      </div>
      <label>
        {t("kb.separators")}
        <textarea rows={3} value={form.separators} onChange={(e) => set({ separators: e.target.value })} />
      </label>
      {modelSelect(t("kb.embeddingModel"), "embedding_model_id", "Embedding", true)}
      {modelSelect(t("kb.summaryModel"), "summary_model_id", "KnowledgeQA")}
      {modelSelect(t("kb.rerankModel"), "rerank_model_id", "Rerank")}
      {modelSelect(t("kb.vlmModel"), "vlm_model_id", "VLLM")}
      <label>
        {t("kb.retention")}
        <input
          type="number"
          min={1}
          max={36500}
          placeholder={t("kb.retentionTenant")}
          value={form.retention_days}
          onChange={(e) => set({ retention_days: e.target.value })}
          data-testid="kb-retention"
        />
      </label>
      {error && <p className="error">{error}</p>}
      {message && (
        <p className="ok" data-testid="kb-saved">
          {message}
        </p>
      )}
      <div>
        <button type="submit" className="primary" data-testid="kb-save">
          {t("common.save")}
        </button>
      </div>
    </form>
  );
}
