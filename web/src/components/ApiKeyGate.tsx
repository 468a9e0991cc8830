import { KeyRound, LogIn } from "lucide-react";
import { useState, type FormEvent } from "react";
import { ApiClient, ApiError } from "../api/client";
import { useApi } from "../api/context";
import { useI18n } from "../i18n";

/** First screen: asks for the tenant API key and checks it before storing it. */
export function ApiKeyGate() {
  const { setApiKey } = useApi();
  const { t, lang, setLang } = useI18n();
  const [key, setKey] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [organisation, setOrganisation] = useState("");

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
    <div className="gate">
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
          <span className="spacer" />
          <button type="button" className="ghost" onClick={() => setLang(lang === "ko" ? "en" : "ko")}>
            {t("lang.switch")}
          </button>
        </div>
      </form>
      <form
        className="card gate-card"
        onSubmit={(event) => {
          event.preventDefault();
          // The gateway sends the browser to the organisation's identity provider and back, signed in.
          if (organisation.trim()) window.location.assign(`/api/v1/auth/sso/start?tenant=${encodeURIComponent(organisation.trim())}`);
        }}
      >
        <h2>
          <LogIn size={18} /> {t("sso.signIn")}
        </h2>
        <input
          placeholder={t("sso.organisation")}
          value={organisation}
          onChange={(e) => setOrganisation(e.target.value)}
          data-testid="sso-tenant"
        />
        <div className="row">
          <button type="submit" className="primary" data-testid="sso-signin">
            {t("sso.signIn")}
          </button>
        </div>
      </form>
    </div>
  );
}
