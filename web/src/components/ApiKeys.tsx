import { useState, type FormEvent } from "react";
import type { ApiKeyPublic } from "../api/openapi";
import { useI18n } from "../i18n";
import type { Act } from "../lib/useAction";

const SCOPES = ["read", "write", "review", "admin"] as const;

export interface KeyRequest {
  name: string;
  scopes: string[];
  expires_in_days: number;
}

/** A new key's name, scopes and expiry; `create` resolves to whether the key was made (then the form clears). */
export function KeyForm({ create }: { create: (request: KeyRequest) => Promise<boolean> }) {
  const { t } = useI18n();
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<string[]>(["read"]);
  const [days, setDays] = useState(90);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await create({ name: name.trim(), scopes, expires_in_days: days })) setName("");
  };
  const toggle = (scope: string) => setScopes((s) => (s.includes(scope) ? s.filter((x) => x !== scope) : [...s, scope]));
  return (
    <form className="row wrap key-form" onSubmit={submit}>
      <input placeholder={t("keys.name")} value={name} onChange={(e) => setName(e.target.value)} data-testid="key-name" required />
      {SCOPES.map((scope) => (
        <label key={scope} className="row">
          <input type="checkbox" checked={scopes.includes(scope)} onChange={() => toggle(scope)} data-testid={`key-scope-${scope}`} />
          {scope}
        </label>
      ))}
      <label className="row">
        {t("keys.days")}
        <input type="number" min={1} max={365} value={days} onChange={(e) => setDays(Number(e.target.value))}
          style={{ width: "5rem" }} data-testid="key-days" />
      </label>
      <button type="submit" className="primary" disabled={!scopes.length} data-testid="key-create">{t("keys.create")}</button>
    </form>
  );
}

/** The secret of a key just made or rotated: shown here once, never again. */
export function ShownKey({ secret }: { secret: string }) {
  const { t } = useI18n();
  return secret ? (
    <p className="notice" data-testid="key-shown">
      {t("keys.shownOnce")} <code>{secret}</code>
    </p>
  ) : null;
}

/** Keys with their scopes, expiry and state; rotate hands the new secret to `shown`. `owner` names whose key
 * each is (a column only when given). */
export function KeyTable(props: { keys: ApiKeyPublic[]; act: Act; rotate: (id: string) => Promise<void>; revoke: (id: string) => Promise<unknown>; owner?: (key: ApiKeyPublic) => string }) {
  const { keys, act, rotate, revoke, owner } = props;
  const { t } = useI18n();
  const status = (key: ApiKeyPublic) =>
    key.revoked_at ? t("keys.revoked") : key.expires_at && new Date(key.expires_at) < new Date() ? t("keys.expired") : t("people.active");
  if (!keys.length) return <p className="muted" data-testid="keys-empty">{t("keys.none")}</p>;
  return (
    <table className="docs middle" data-testid="keys-table">
      <thead>
        <tr>
          <th>{t("keys.name")}</th>{owner && <th>{t("keys.owner")}</th>}<th>{t("keys.prefix")}</th><th>{t("keys.scopes")}</th>
          <th>{t("keys.expires")}</th><th>{t("people.status")}</th><th />
        </tr>
      </thead>
      <tbody>
        {keys.map((key) => (
          <tr key={key.id} data-testid="key-row" data-name={key.name} data-status={key.revoked_at ? "revoked" : "active"}>
            <td>{key.name}</td>{owner && <td>{owner(key)}</td>}<td><code>{key.prefix}…</code></td><td>{key.scopes.join(", ")}</td>
            <td data-testid="key-expires">{key.expires_at ? new Date(key.expires_at).toLocaleDateString() : "—"}</td>
            <td>{status(key)}</td>
            <td>
              {!key.revoked_at && (
                <div className="row">
                  <button type="button" className="ghost" onClick={() => void act(() => rotate(key.id))} data-testid="key-rotate">{t("keys.rotate")}</button>
                  <button type="button" className="ghost" onClick={() => void act(() => revoke(key.id))} data-testid="key-revoke">{t("keys.revoke")}</button>
                </div>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
