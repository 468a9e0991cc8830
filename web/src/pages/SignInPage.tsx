import { LogIn } from "lucide-react";
import { useState, type FormEvent } from "react";
import { ApiError } from "../api/client";
import { useApi } from "../api/context";
import { ApiKeyForm } from "../components/ApiKeyForm";
import { SsoForm } from "../components/SsoForm";
import { useI18n } from "../i18n";

/** First screen: sign in with e-mail and password (a session cookie), or with a tenant API key. */
export function SignInPage() {
  const { api, setSession } = useApi();
  const { t, lang, setLang } = useI18n();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [tenantId, setTenantId] = useState("");
  const [askTenant, setAskTenant] = useState(false);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError("");
    try {
      setSession(await api.signIn(email.trim(), password, tenantId.trim() || undefined));
    } catch (e) {
      if (e instanceof ApiError && e.status === 422 && e.message.includes("workspace")) setAskTenant(true);
      setError(e instanceof ApiError && e.status === 401 ? t("signin.wrong") : (e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="gate">
      <div className="gate-stack">
        <form className="card gate-card" onSubmit={submit} data-testid="signin-form">
          <h1>
            <LogIn size={20} /> {t("signin.title")}
          </h1>
          <label>
            {t("signin.email")}
            <input type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)}
              data-testid="signin-email" required />
          </label>
          <label>
            {t("signin.password")}
            <input type="password" autoComplete="current-password" value={password}
              onChange={(e) => setPassword(e.target.value)} data-testid="signin-password" required />
          </label>
          {askTenant && (
            <label>
              {t("signin.tenant")}
              <input value={tenantId} onChange={(e) => setTenantId(e.target.value)} data-testid="signin-tenant" />
            </label>
          )}
          {error && <p className="error" data-testid="signin-error">{error}</p>}
          <div className="row">
            <button type="submit" className="primary" disabled={busy} data-testid="signin-submit">
              {t("signin.submit")}
            </button>
            <span className="spacer" />
            <button type="button" className="ghost" onClick={() => setLang(lang === "ko" ? "en" : "ko")}>
              {t("lang.switch")}
            </button>
          </div>
        </form>
        <SsoForm />
        <ApiKeyForm />
      </div>
    </div>
  );
}
