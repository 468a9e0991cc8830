import { LogIn } from "lucide-react";
import { useState } from "react";
import { useI18n } from "../i18n";

/** Single sign-on: the gateway sends the browser to the organisation's identity provider and back, signed in. */
export function SsoForm() {
  const { t } = useI18n();
  const [organisation, setOrganisation] = useState("");
  return (
    <form
      className="card gate-card"
      onSubmit={(event) => {
        event.preventDefault();
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
  );
}
