import { useState, type FormEvent } from "react";
import { useApi } from "../api/context";
import { useI18n } from "../i18n";

/** Shown after signing in with a password someone else chose (the one-time password of `jisik up`). */
export function PasswordPage() {
  const { api, setSession } = useApi();
  const { t } = useI18n();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [error, setError] = useState("");

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      setSession(await api.changePassword(current, next));
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <div className="gate">
      <form className="card gate-card" onSubmit={submit}>
        <h1>{t("password.title")}</h1>
        <p className="muted">{t("password.prompt")}</p>
        <label>
          {t("password.current")}
          <input type="password" autoComplete="current-password" value={current}
            onChange={(e) => setCurrent(e.target.value)} data-testid="password-current" required />
        </label>
        <label>
          {t("password.new")}
          <input type="password" autoComplete="new-password" value={next} minLength={10}
            onChange={(e) => setNext(e.target.value)} data-testid="password-new" required />
        </label>
        {error && <p className="error">{error}</p>}
        <button type="submit" className="primary" data-testid="password-save">{t("common.save")}</button>
      </form>
    </div>
  );
}
