import { LogIn, Save } from "lucide-react";
import { useEffect, useState } from "react";
import { useApi } from "../api/context";
import type { SsoSettingsPublic } from "../api/openapi";
import { useI18n } from "../i18n";

const ROLES = ["viewer", "reviewer", "editor"] as const;

/** The tenant's OpenID Connect provider: issuer, client, group claim and the role of new users. */
export function SsoSettings() {
  const { api } = useApi();
  const { t } = useI18n();
  const [form, setForm] = useState<SsoSettingsPublic | null>(null);
  const [secret, setSecret] = useState("");
  const [notice, setNotice] = useState("");

  useEffect(() => {
    api.getSso().then(setForm, (e: Error) => setNotice(t("error.generic", { reason: e.message })));
  }, [api, t]);

  if (!form) return notice ? <p className="error">{notice}</p> : null;
  const set = (patch: Partial<SsoSettingsPublic>) => setForm({ ...form, ...patch });
  const save = async () => {
    try {
      const saved = await api.putSso({
        enabled: form.enabled, issuer: form.issuer, client_id: form.client_id, client_secret: secret || null,
        group_claim: form.group_claim, scopes: form.scopes, default_role: form.default_role,
      });
      setForm(saved);
      setSecret("");
      setNotice(t("sso.saved"));
    } catch (e) {
      setNotice(t("error.generic", { reason: (e as Error).message }));
    }
  };

  return (
    <section className="card form" data-testid="sso-settings">
      <h3>
        <LogIn size={16} /> {t("sso.title")}
      </h3>
      <p className="muted">{t("sso.help")}</p>
      <label>
        {t("sso.issuer")}
        <input value={form.issuer} onChange={(e) => set({ issuer: e.target.value })} placeholder="https://login.example.com" data-testid="sso-issuer" />
      </label>
      <div className="row wrap">
        <label className="grow">
          {t("sso.clientId")}
          <input value={form.client_id} onChange={(e) => set({ client_id: e.target.value })} data-testid="sso-client-id" />
        </label>
        <label className="grow">
          {t("sso.clientSecret")}
          <input
            type="password"
            value={secret}
            autoComplete="new-password"
            placeholder={form.has_client_secret ? t("sso.secretStored") : ""}
            onChange={(e) => setSecret(e.target.value)}
            data-testid="sso-client-secret"
          />
        </label>
      </div>
      <div className="row wrap">
        <label className="grow">
          {t("sso.groupClaim")}
          <input value={form.group_claim} onChange={(e) => set({ group_claim: e.target.value })} data-testid="sso-group-claim" />
        </label>
        <label>
          {t("sso.defaultRole")}
          <select value={form.default_role} onChange={(e) => set({ default_role: e.target.value })} data-testid="sso-default-role">
            {ROLES.map((role) => (
              <option key={role} value={role}>
                {role}
              </option>
            ))}
          </select>
        </label>
      </div>
      <label>
        {t("sso.redirectUri")}
        <input readOnly value={form.redirect_uri} data-testid="sso-redirect-uri" />
      </label>
      <label className="inline">
        <input type="checkbox" checked={form.enabled} onChange={(e) => set({ enabled: e.target.checked })} data-testid="sso-enabled" />
        {t("sso.enabled")}
      </label>
      <div>
        <button type="button" className="primary" onClick={() => void save()} data-testid="sso-save">
          <Save size={16} /> {t("sso.save")}
        </button>
      </div>
      {notice && (
        <p className="notice" data-testid="sso-notice">
          {notice}
        </p>
      )}
    </section>
  );
}
