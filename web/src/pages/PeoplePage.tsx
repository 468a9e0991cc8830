import { useState, type FormEvent, type ReactNode } from "react";
import { useApi } from "../api/context";
import type { ApiKeyPublic, GroupPublic, UserPublic } from "../api/openapi";
import { KeyForm, KeyTable, ShownKey, type KeyRequest } from "../components/ApiKeys";
import { useI18n, type T } from "../i18n";
import { useAction, type Act } from "../lib/useAction";
import { useLoad } from "../lib/useLoad";

const ROLES = ["owner", "admin", "editor", "reviewer", "viewer"] as const;

/** People, groups, service accounts and API keys of the tenant (#/people/users | groups | service | keys). */
export function PeoplePage({ tab }: { tab: string }) {
  const { t } = useI18n();
  const tabs: [string, string][] = [
    ["users", t("people.users")], ["groups", t("people.groups")], ["service", t("service.title")], ["keys", t("people.keys")],
  ];
  return (
    <div className="page">
      <h1>{t("people.title")}</h1>
      <div className="tabs">
        {tabs.map(([id, label]) => (
          <a key={id} href={`#/people/${id}`} className={tab === id ? "tab active" : "tab"} data-testid={`people-tab-${id}`}>
            {label}
          </a>
        ))}
      </div>
      {tab === "groups" ? <GroupsTab /> : tab === "keys" ? <KeysTab /> : tab === "service" ? <ServiceAccountsTab /> : <UsersTab />}
    </div>
  );
}

function Failure({ error }: { error: string }) {
  return error ? <p className="error">{error}</p> : null;
}

function roleLabel(t: T, role: string): string {
  return t(`role.${role}` as Parameters<T>[0]);
}

function UsersTab() {
  const { api } = useApi();
  const { t } = useI18n();
  const people = useLoad(async () => {
    const [users, seats, invitations] = await Promise.all([api.listUsers(), api.seats(), api.listInvitations().catch(() => [])]);
    return { users, seats, invitations };
  }, [api]);
  const [error, act] = useAction(people.reload);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState("viewer");
  const [link, setLink] = useState("");

  const invite = (event: FormEvent) => {
    event.preventDefault();
    void act(async () => {
      const created = await api.invite(email.trim(), role);
      setLink(`${window.location.origin}/#/accept?token=${encodeURIComponent(created.token)}`);
      setEmail("");
    });
  };
  const data = people.data;
  return (
    <>
      <Failure error={people.error || error} />
      {data && (
        <p data-testid="seats">
          {t("people.seats", { used: data.seats.used, limit: data.seats.limit, pending: data.seats.pending })}
        </p>
      )}
      <form className="card row" onSubmit={invite}>
        <input type="email" placeholder={t("people.email")} value={email} onChange={(e) => setEmail(e.target.value)}
          data-testid="invite-email" required />
        <select value={role} onChange={(e) => setRole(e.target.value)} data-testid="invite-role">
          {ROLES.map((r) => <option key={r} value={r}>{roleLabel(t, r)}</option>)}
        </select>
        <button type="submit" className="primary" data-testid="invite-submit">{t("people.invite")}</button>
      </form>
      {link && (
        <p className="notice" data-testid="invite-link">
          {t("people.inviteLink")} <code>{link}</code>
        </p>
      )}
      {data && (
        <table className="docs middle" data-testid="users-table">
          <thead>
            <tr><th>{t("people.name")}</th><th>{t("people.email")}</th><th>{t("people.role")}</th><th>{t("people.status")}</th><th /></tr>
          </thead>
          <tbody>
            {data.users.map((user) => <UserRow key={user.id} user={user} act={act} />)}
            {data.invitations.map((inv) => (
              <tr key={inv.id} data-testid="invitation-row" data-email={inv.email}>
                <td className="muted">—</td><td>{inv.email}</td><td>{roleLabel(t, inv.role)}</td>
                <td><span className="badge">{t("people.invited")}</span></td>
                <td><button type="button" className="ghost" onClick={() => void act(() => api.withdrawInvitation(inv.id))}>{t("people.withdraw")}</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function UserRow({ user, act }: { user: UserPublic; act: Act }) {
  const { api } = useApi();
  const { t } = useI18n();
  return (
    <tr data-testid="user-row" data-email={user.email ?? user.name}>
      <td>{user.name || "—"}{user.kind === "service" && <span className="badge">{t("people.service")}</span>}</td>
      <td>{user.email ?? "—"}</td>
      <td>
        <select value={user.role} onChange={(e) => void act(() => api.updateUser(user.id, { role: e.target.value }))}>
          {ROLES.map((r) => <option key={r} value={r}>{roleLabel(t, r)}</option>)}
        </select>
      </td>
      <td>{user.disabled ? <span className="badge status-failed">{t("people.disabled")}</span> : <span className="badge status-completed">{t("people.active")}</span>}</td>
      <td>
        <div className="row">
          <button type="button" className="ghost" onClick={() => void act(() => api.updateUser(user.id, { disabled: !user.disabled }))}>
            {user.disabled ? t("people.enable") : t("people.disable")}
          </button>
          <button type="button" className="ghost" onClick={() => void act(() => api.removeUser(user.id))}>{t("common.delete")}</button>
        </div>
      </td>
    </tr>
  );
}

function GroupsTab() {
  const { api } = useApi();
  const { t } = useI18n();
  const loaded = useLoad(async () => ({ groups: await api.listGroups(), users: await api.listUsers() }), [api]);
  const [error, act] = useAction(loaded.reload);
  const [name, setName] = useState("");
  const create = (event: FormEvent) => {
    event.preventDefault();
    void act(async () => {
      await api.createGroup(name.trim());
      setName("");
    });
  };
  const users = loaded.data?.users ?? [];
  return (
    <>
      <Failure error={loaded.error || error} />
      <form className="card row" onSubmit={create}>
        <input placeholder={t("people.groupName")} value={name} onChange={(e) => setName(e.target.value)} data-testid="group-name" required />
        <button type="submit" className="primary" data-testid="group-create">{t("common.create")}</button>
      </form>
      {(loaded.data?.groups ?? []).map((group) => <GroupCard key={group.id} group={group} users={users} act={act} />)}
    </>
  );
}

function GroupCard(props: { group: GroupPublic; users: UserPublic[]; act: Act }) {
  const { group, users, act } = props;
  const { api } = useApi();
  const { t } = useI18n();
  const [pick, setPick] = useState("");
  const name = (id: string) => users.find((u) => u.id === id)?.email ?? id;
  const members: ReactNode = group.member_ids.length
    ? group.member_ids.map((id) => (
        <span key={id} className="badge">
          {name(id)}{" "}
          <button type="button" className="ghost" onClick={() => void act(() => api.removeGroupMember(group.id, id))}>×</button>
        </span>
      ))
    : <span className="muted">{t("common.empty")}</span>;
  return (
    <div className="card" data-testid="group-card" data-name={group.name}>
      <div className="row">
        <strong>{group.name}</strong> <code className="muted">{group.principal}</code>
        <span className="spacer" />
        <button type="button" className="ghost" onClick={() => void act(() => api.deleteGroup(group.id))}>{t("common.delete")}</button>
      </div>
      <div className="row">{members}</div>
      <div className="row">
        <select value={pick} onChange={(e) => setPick(e.target.value)}>
          <option value="">{t("people.addMember")}</option>
          {users.filter((u) => !group.member_ids.includes(u.id)).map((u) => <option key={u.id} value={u.id}>{u.email ?? u.name}</option>)}
        </select>
        <button type="button" disabled={!pick} onClick={() => void act(() => api.addGroupMember(group.id, pick))}>{t("people.add")}</button>
      </div>
    </div>
  );
}

/** The caller's keys (an administrator: every key of the tenant, with whose it is). */
function KeysTab() {
  const { api } = useApi();
  const loaded = useLoad(async () => {
    const [keys, users] = await Promise.all([api.listApiKeys(), api.listUsers().catch(() => [])]);
    return { keys, users };
  }, [api]);
  const [error, act] = useAction(loaded.reload);
  const [shown, setShown] = useState("");
  const create = (request: KeyRequest) => act(async () => setShown((await api.createApiKey(request)).key));
  const owner = (key: ApiKeyPublic) => {
    const user = loaded.data?.users.find((u) => u.id === key.user_id);
    return user ? user.email ?? user.name : "—";
  };
  return (
    <>
      <Failure error={loaded.error || error} />
      <div className="card"><KeyForm create={create} /></div>
      <ShownKey secret={shown} />
      <KeyTable keys={loaded.data?.keys ?? []} act={act} owner={owner}
        rotate={async (id) => setShown((await api.rotateApiKey(id)).key)} revoke={api.revokeApiKey} />
    </>
  );
}

/** Service accounts: made here with a role, each with its keys (made, rotated and revoked in its card). */
function ServiceAccountsTab() {
  const { api } = useApi();
  const { t } = useI18n();
  const loaded = useLoad(async () => {
    const [users, keys] = await Promise.all([api.listUsers(), api.listApiKeys()]);
    return { accounts: users.filter((u) => u.kind === "service"), keys };
  }, [api]);
  const [error, act] = useAction(loaded.reload);
  const [name, setName] = useState("");
  const [role, setRole] = useState("viewer");
  const add = async (event: FormEvent) => {
    event.preventDefault();
    if (await act(() => api.addServiceAccount(name.trim(), role))) setName("");
  };
  const accounts = loaded.data?.accounts ?? [];
  return (
    <>
      <p className="muted">{t("service.intro")}</p>
      <Failure error={loaded.error || error} />
      <form className="card row" onSubmit={add}>
        <input placeholder={t("service.name")} value={name} onChange={(e) => setName(e.target.value)} data-testid="service-name" required />
        <select value={role} onChange={(e) => setRole(e.target.value)} data-testid="service-role">
          {ROLES.filter((r) => r !== "owner").map((r) => <option key={r} value={r}>{roleLabel(t, r)}</option>)}
        </select>
        <button type="submit" className="primary" data-testid="service-create">{t("service.create")}</button>
      </form>
      {loaded.data && !accounts.length && <p className="muted" data-testid="service-empty">{t("service.none")}</p>}
      {accounts.map((account) => (
        <ServiceAccountCard key={account.id} account={account} act={act}
          keys={(loaded.data?.keys ?? []).filter((key) => key.user_id === account.id)} />
      ))}
    </>
  );
}

function ServiceAccountCard({ account, keys, act }: { account: UserPublic; keys: ApiKeyPublic[]; act: Act }) {
  const { api } = useApi();
  const { t } = useI18n();
  const [shown, setShown] = useState("");
  const create = (request: KeyRequest) =>
    act(async () => setShown((await api.createApiKey({ ...request, user_id: account.id })).key));
  return (
    <div className="card" data-testid="service-card" data-name={account.name}>
      <div className="row">
        <strong>{account.name}</strong>
        <span className="badge" data-testid="service-card-role">{roleLabel(t, account.role)}</span>
        {account.disabled && <span className="badge status-failed">{t("people.disabled")}</span>}
        <span className="spacer" />
        <span className="muted small">{t("service.keys", { n: keys.filter((k) => !k.revoked_at).length })}</span>
      </div>
      <KeyTable keys={keys} act={act} rotate={async (id) => setShown((await api.rotateApiKey(id)).key)} revoke={api.revokeApiKey} />
      <ShownKey secret={shown} />
      <KeyForm create={create} />
    </div>
  );
}
