import { Eye, EyeOff, KeyRound, Plug, Plus, ShieldOff, Trash2 } from "lucide-react";
import { useState, type FormEvent } from "react";
import { useApi } from "../api/context";
import { AuditTimeline } from "../components/AuditTimeline";
import type { ModelInput, RegisteredModel } from "../api/types";
import { ConsumerGroups } from "../components/ConsumerGroups";
import { PrivacySettings } from "../components/PrivacySettings";
import { SsoSettings } from "../components/SsoSettings";
import { useI18n } from "../i18n";
import { useLoad } from "../lib/useLoad";

const TYPES: RegisteredModel["type"][] = ["KnowledgeQA", "Embedding", "Rerank", "VLLM"];
const DEFAULT_URL = { openai: "https://api.openai.com/v1", ollama: "http://127.0.0.1:11434" } as const;

/** Masks all but the first characters of a key. */
export function maskKey(key: string): string {
  if (key.length <= 6) return "•".repeat(key.length);
  return `${key.slice(0, 6)}${"•".repeat(Math.min(24, key.length - 6))}`;
}

function ModelForm({ onAdded }: { onAdded: () => void }) {
  const { api } = useApi();
  const { t } = useI18n();
  const [provider, setProvider] = useState<"openai" | "ollama">("openai");
  const [form, setForm] = useState({ name: "", type: "KnowledgeQA" as RegisteredModel["type"], base_url: "", api_key: "", dimension: "" });
  const [error, setError] = useState("");
  const set = (patch: Partial<typeof form>) => setForm((f) => ({ ...f, ...patch }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const input: ModelInput = {
      name: form.name.trim(),
      type: form.type,
      source: provider === "ollama" ? "local" : "remote",
      parameters: {
        base_url: form.base_url.trim() || DEFAULT_URL[provider],
        interface_type: provider,
        ...(form.type === "Embedding" && form.dimension ? { embedding_parameters: { dimension: Number(form.dimension) } } : {}),
      },
      ...(form.api_key ? { api_key: form.api_key } : {}),
    };
    try {
      await api.createModel(input);
      setForm({ name: "", type: form.type, base_url: "", api_key: "", dimension: "" });
      setError("");
      onAdded();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <form className="card form" onSubmit={submit} data-testid="model-form">
      <h3>{t("settings.addModel")}</h3>
      <div className="row wrap">
        <label>
          {t("settings.provider")}
          <select value={provider} onChange={(e) => setProvider(e.target.value as "openai" | "ollama")} data-testid="model-provider">
            <option value="openai">{t("settings.openai")}</option>
            <option value="ollama">{t("settings.ollama")}</option>
          </select>
        </label>
        <label>
          {t("settings.modelType")}
          <select value={form.type} onChange={(e) => set({ type: e.target.value as RegisteredModel["type"] })}>
            {TYPES.map((type) => (
              <option key={type}>{type}</option>
            ))}
          </select>
        </label>
        <label className="grow">
          {t("settings.modelName")}
          <input
            required
            value={form.name}
            onChange={(e) => set({ name: e.target.value })}
            placeholder={provider === "ollama" ? "qwen2.5:7b" : "gpt-4o-mini"}
            data-testid="model-name"
          />
        </label>
      </div>
      <div className="row wrap">
        <label className="grow">
          {t("settings.baseUrl")}
          <input value={form.base_url} onChange={(e) => set({ base_url: e.target.value })} placeholder={DEFAULT_URL[provider]} />
        </label>
        {provider === "openai" && (
          <label className="grow">
            {t("settings.apiKey")}
            <input type="password" autoComplete="off" value={form.api_key} onChange={(e) => set({ api_key: e.target.value })} />
          </label>
        )}
        {form.type === "Embedding" && (
          <label>
            {t("settings.dimension")}
            <input type="number" min={1} value={form.dimension} onChange={(e) => set({ dimension: e.target.value })} />
          </label>
        )}
      </div>
      {error && <p className="error">{error}</p>}
      <div>
        <button type="submit" className="primary" data-testid="model-add">
          <Plus size={16} /> {t("settings.addModel")}
        </button>
      </div>
    </form>
  );
}

export function SettingsPage() {
  const { api, apiKey, setApiKey } = useApi();
  const { t, lang, setLang } = useI18n();
  const models = useLoad(() => api.listModels(), [api]);
  const lag = useLoad(() => api.ingestLag(), [api]);
  const [showKey, setShowKey] = useState(false);
  const [keyNotice, setKeyNotice] = useState("");
  const [tests, setTests] = useState<Record<string, string>>({});

  const rotateKey = async () => {
    if (!window.confirm(t("settings.rotateConfirm"))) return;
    try {
      const rotated = await api.rotateKey();
      setApiKey(rotated.api_key);
      setShowKey(true);
      setKeyNotice(t("settings.rotated"));
    } catch (e) {
      setKeyNotice(t("error.generic", { reason: (e as Error).message }));
    }
  };
  const revokeKey = async () => {
    if (!window.confirm(t("settings.revokeConfirm"))) return;
    try {
      await api.revokeKey();
      setApiKey("");
    } catch (e) {
      setKeyNotice(t("error.generic", { reason: (e as Error).message }));
    }
  };

  const test = async (model: RegisteredModel) => {
    setTests((s) => ({ ...s, [model.id]: "…" }));
    try {
      const result = await api.testModel(model.id);
      setTests((s) => ({ ...s, [model.id]: result.ok ? t("settings.testOk") : t("settings.testFailed", { reason: result.message ?? "" }) }));
    } catch (e) {
      setTests((s) => ({ ...s, [model.id]: t("settings.testFailed", { reason: (e as Error).message }) }));
    }
  };
  const remove = async (model: RegisteredModel) => {
    if (!window.confirm(t("common.confirmDelete", { name: model.name }))) return;
    await api.deleteModel(model.id).catch((e: Error) => window.alert(e.message));
    void models.reload();
  };

  return (
    <div className="page">
      <h1>{t("nav.settings")}</h1>
      <section className="card">
        <h3>{t("settings.models")}</h3>
        {models.error && <p className="error">{models.error}</p>}
        <table className="docs">
          <tbody>
            {models.data?.length === 0 && (
              <tr>
                <td className="muted" data-testid="models-empty">
                  {t("common.empty")}
                </td>
              </tr>
            )}
            {models.data?.map((model) => (
              <tr key={model.id} data-testid="model-row">
                <td>
                  <strong>{model.name}</strong> {model.is_default && <span className="badge subtle">{t("settings.default")}</span>}
                </td>
                <td>{model.type}</td>
                <td>{model.parameters?.interface_type ?? model.source}</td>
                <td className="muted small">{model.parameters?.base_url}</td>
                <td className="small" data-testid="model-test-result">
                  {tests[model.id]}
                </td>
                <td className="actions">
                  <button type="button" className="icon" onClick={() => void test(model)} title={t("settings.test")} data-testid="model-test">
                    <Plug size={14} /> {t("settings.test")}
                  </button>
                  <button type="button" className="icon danger" onClick={() => void remove(model)} title={t("common.delete")}>
                    <Trash2 size={14} />
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <ModelForm onAdded={() => void models.reload()} />
      <PrivacySettings />
      <SsoSettings />
      <AuditTimeline filter={{}} showEntity />
      <section className="card">
        <h3>{t("settings.tenantKey")}</h3>
        <div className="row">
          <code className="grow" data-testid="tenant-key">
            {showKey ? apiKey : maskKey(apiKey)}
          </code>
          <button type="button" onClick={() => setShowKey(!showKey)} data-testid="toggle-key">
            {showKey ? <EyeOff size={14} /> : <Eye size={14} />} {showKey ? t("settings.hideKey") : t("settings.showKey")}
          </button>
          <button type="button" className="danger" onClick={() => setApiKey("")}>
            {t("settings.changeKey")}
          </button>
        </div>
        <div className="row">
          <button type="button" onClick={() => void rotateKey()} data-testid="rotate-key">
            <KeyRound size={14} /> {t("settings.rotateKey")}
          </button>
          <button type="button" className="danger" onClick={() => void revokeKey()} data-testid="revoke-key">
            <ShieldOff size={14} /> {t("settings.revokeKey")}
          </button>
        </div>
        {keyNotice && (
          <p className="notice" data-testid="key-notice">
            {keyNotice}
          </p>
        )}
      </section>
      <section className="card row">
        <strong className="grow">{t("settings.language")}</strong>
        <select value={lang} onChange={(e) => setLang(e.target.value as "ko" | "en")} data-testid="lang-select">
          <option value="ko">한국어</option>
          <option value="en">English</option>
        </select>
      </section>
      {lag.data && Object.keys(lag.data).length > 0 && (
        <section className="card">
          <h3>{t("settings.ingestLag")}</h3>
          <table className="docs">
            <tbody>
              {Object.entries(lag.data).flatMap(([stage, value]) =>
                typeof value === "number"
                  ? [
                      <tr key={stage}>
                        <td>{stage}</td>
                        <td className="num">{value}</td>
                      </tr>,
                    ]
                  : [],
              )}
            </tbody>
          </table>
          <ConsumerGroups groups={lag.data.consumer_groups} />
        </section>
      )}
    </div>
  );
}
