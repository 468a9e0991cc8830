import { KeyRound } from "lucide-react";
import { useState, type FormEvent } from "react";
import { ApiClient, ApiError } from "../api/client";
import { useApi } from "../api/context";
import { useI18n } from "../i18n";

/** Signing in with a tenant API key instead of a password: checks the key before storing it. */
export function ApiKeyForm() {
  const { setApiKey } = useApi();
  const { t } = useI18n();
  const [key, setKey] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const candidate = key.trim();
    if (!candidate) return;
    setBusy(true);
    try {
      await new ApiClient(() => candidate).listKnowledgeBases();
      setApiKey(candidate);
    } catch (e) {
      setError(e instanceof ApiError && (e.status === 401 || e.status === 403) ? t("key.invalid") : String((e as Error).message));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card gate-card" onSubmit={submit}>
        <h1>
          <KeyRound size={20} /> {t("key.title")}
        </h1>
        <p className="muted">{t("key.prompt")}</p>
        <input
          type="password"
          autoFocus
          autoComplete="off"
          placeholder={t("key.placeholder")}
          value={key}
          onChange={(e) => setKey(e.target.value)}
          data-testid="api-key-input"
        />
        {error && <p className="error">{error}</p>}
        <div className="row">
          <button type="submit" className="primary" disabled={busy} data-testid="api-key-submit">
            {t("key.save")}
          </button>
        </div>
    </form>
  );
}
