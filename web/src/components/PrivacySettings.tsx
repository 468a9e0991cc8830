import { Save } from "lucide-react";
import { useEffect, useState } from "react";
import { useApi } from "../api/context";
import { PII_TYPES, type PiiPolicy, type PiiType, type Tenant } from "../api/types";
import { useI18n } from "../i18n";

const POLICIES: { value: PiiPolicy | ""; label: "privacy.policyDefault" | "privacy.policyOff" | "privacy.policyRemote" | "privacy.policyAlways" }[] = [
  { value: "", label: "privacy.policyDefault" },
  { value: "off", label: "privacy.policyOff" },
  { value: "remote", label: "privacy.policyRemote" },
  { value: "always", label: "privacy.policyAlways" },
];

/** The tenant's PII mask policy, masked types and training consent. */
export function PrivacySettings() {
  const { api } = useApi();
  const { t } = useI18n();
  const [tenant, setTenant] = useState<Tenant | null>(null);
  const [notice, setNotice] = useState("");

  useEffect(() => {
    api.getTenant().then(setTenant, (e: Error) => setNotice(t("error.generic", { reason: e.message })));
  }, [api, t]);

  if (!tenant) return notice ? <p className="error">{notice}</p> : null;
  const toggle = (type: PiiType) =>
    setTenant({ ...tenant, pii_types: tenant.pii_types.includes(type) ? tenant.pii_types.filter((x) => x !== type) : [...tenant.pii_types, type] });
  const save = async () => {
    try {
      setTenant(
        await api.updatePrivacy({
          pii_policy: tenant.pii_policy,
          pii_types: tenant.pii_types,
          training_consent: tenant.training_consent,
          retention_days: tenant.retention_days,
        }),
      );
      setNotice(t("privacy.saved"));
    } catch (e) {
      setNotice(t("error.generic", { reason: (e as Error).message }));
    }
  };

  return (
    <section className="card form" data-testid="privacy-settings">
      <h3>{t("privacy.title")}</h3>
      <label>
        {t("privacy.policy")}
        <select
          value={tenant.pii_policy ?? ""}
          onChange={(e) => setTenant({ ...tenant, pii_policy: (e.target.value || null) as PiiPolicy | null })}
          data-testid="privacy-policy"
        >
          {POLICIES.map((policy) => (
            <option key={policy.value} value={policy.value}>
              {t(policy.label)}
            </option>
          ))}
        </select>
      </label>
      <fieldset className="row wrap">
        <legend>{t("privacy.types")}</legend>
        {PII_TYPES.map((type) => (
          <label key={type} className="inline">
            <input type="checkbox" checked={tenant.pii_types.includes(type)} onChange={() => toggle(type)} data-testid={`privacy-type-${type}`} />
            {type}
          </label>
        ))}
      </fieldset>
      <label className="inline">
        <input
          type="checkbox"
          checked={tenant.training_consent}
          onChange={(e) => setTenant({ ...tenant, training_consent: e.target.checked })}
          data-testid="privacy-consent"
        />
        {t("privacy.consent")}
      </label>
      <label>
        {t("privacy.retention")}
        <input
          type="number"
          min={1}
          max={36500}
          placeholder={t("privacy.retentionForever")}
          value={tenant.retention_days ?? ""}
          onChange={(e) => setTenant({ ...tenant, retention_days: e.target.value ? Number(e.target.value) : null })}
          data-testid="privacy-retention"
        />
        <small className="muted">{t("privacy.retentionHelp")}</small>
      </label>
      <div>
        <button type="button" className="primary" onClick={() => void save()} data-testid="privacy-save">
          <Save size={16} /> {t("privacy.save")}
        </button>
      </div>
      {notice && (
        <p className="notice" data-testid="privacy-notice">
          {notice}
        </p>
      )}
    </section>
  );
}
