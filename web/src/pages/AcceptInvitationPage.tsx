import { useState, type FormEvent } from "react";
import { useApi } from "../api/context";
import { useI18n } from "../i18n";
import { navigate } from "../lib/router";

/** The invitation link (#/accept?token=…): choose a name and a password, then you are signed in. */
export function AcceptInvitationPage({ token }: { token: string }) {
  const { api, setSession } = useApi();
  const { t } = useI18n();
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const me = await api.acceptInvitation(token, name.trim(), password);
      setSession(me);
      navigate("#/chat");
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <div className="gate">
      <form className="card gate-card" onSubmit={submit}>
        <h1>{t("invite.acceptTitle")}</h1>
        <p className="muted">{t("invite.prompt")}</p>
        <label>
          {t("people.name")}
          <input value={name} onChange={(e) => setName(e.target.value)} data-testid="accept-name" />
        </label>
        <label>
          {t("password.new")}
          <input type="password" autoComplete="new-password" value={password} minLength={10}
            onChange={(e) => setPassword(e.target.value)} data-testid="accept-password" required />
        </label>
        {error && <p className="error">{error}</p>}
        <div className="row">
          <button type="submit" className="primary" data-testid="accept-submit">{t("invite.accept")}</button>
        </div>
      </form>
    </div>
  );
}
