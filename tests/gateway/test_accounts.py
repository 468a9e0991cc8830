"""People and credentials through the real gateway: password sign-in and its cookie, lockout, session
fixation, sign-out (here and everywhere), CSRF, disabled and removed users, keys that are revoked,
expired, rotated or cut down by a role change, invitations and seats, owner rules, and tenants that
name each other's ids. Every refusal is checked to change nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from accounts_testkit import PASSWORD, Browser, Member, add_member, session_cookie, sign_in
from gateway_testkit import RunningGateway, gateway_settings, running_gateway
from sqlalchemy import ColumnElement, func, select, update
from sqlmodel import SQLModel, col

from jisik.billing.plans import set_plan
from jisik.db.models import ApiKey, Group, KnowledgeBase, Plan, Tenant, User, WebSession
from jisik.db.tenants import create_tenant
from jisik.runtime.tansu import EmbeddedTansu

pytestmark = pytest.mark.integration

API = "/api/v1"
MAX_FAILURES = 3


@pytest.fixture(scope="module")
async def gateway(
    module_database: str, kafka: EmbeddedTansu, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[RunningGateway]:
    """The address backoff is set high here so the per-account lockout is what the tests see."""
    data_dir: Path = tmp_path_factory.mktemp("accounts")
    base = gateway_settings(module_database, data_dir, kafka_servers=kafka.bootstrap_servers)
    settings = base.model_copy(update={
        "gateway": base.gateway.model_copy(update={"auth_free_failures": 1000}),
        "accounts": base.accounts.model_copy(update={"signin_max_failures": MAX_FAILURES, "signin_lockout_s": 600}),
    })
    async with running_gateway(settings) as running:
        yield running


async def _tenant(gateway: RunningGateway, name: str = "team") -> str:
    async with gateway.sessions() as session, session.begin():
        tenant, _ = await create_tenant(session, name=name)
    return tenant.id


async def _count(gateway: RunningGateway, model: type[SQLModel], *where: ColumnElement[bool]) -> int:
    async with gateway.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def _user(gateway: RunningGateway, user_id: str) -> User | None:
    async with gateway.sessions() as session:
        return await session.get(User, user_id)


async def _get(gateway: RunningGateway, path: str, headers: dict[str, str]) -> int:
    async with gateway.client(headers=headers) as client:
        return (await client.get(f"{API}{path}")).status_code


async def test_sign_in_sets_a_host_only_http_only_cookie_and_me_names_the_user(gateway: RunningGateway) -> None:
    tenant_id = await _tenant(gateway)
    editor = await add_member(gateway, tenant_id, "editor")
    async with gateway.client() as client:
        response = await client.post(f"{API}/auth/sign-in", json={"email": editor.email.upper(), "password": PASSWORD})
    assert response.status_code == 200, response.text
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-jisik-session=")
    for attribute in ("HttpOnly", "Secure", "Path=/", "SameSite=lax"):
        assert attribute.lower() in cookie.lower(), cookie
    assert "domain=" not in cookie.lower()
    browser = Browser("__Host-jisik-session", session_cookie(gateway, response), response.json()["data"]["csrf_token"])
    async with gateway.client(headers=browser.headers(csrf=False)) as client:
        me = (await client.get(f"{API}/auth/me")).json()["data"]
    assert me["actor"] == f"user:{editor.user_id}" and me["role"] == "editor"
    assert me["scopes"] == ["read", "write"] and me["principals"] == [f"user:{editor.user_id}"]
    assert me["user"]["email"] == editor.email and me["csrf_token"] == browser.csrf
    async with gateway.client() as client:  # the web app asks this before showing the sign-in form
        signed_out = await client.get(f"{API}/auth/session", headers={"Cookie": f"{browser.cookie_name}=ws-unknown"})
        signed_in = await client.get(f"{API}/auth/session", headers=browser.headers(csrf=False))
    assert signed_out.status_code == 200 and signed_out.json()["data"] is None
    assert signed_in.json()["data"]["actor"] == f"user:{editor.user_id}"


async def test_wrong_passwords_lock_the_account_even_for_the_right_password(gateway: RunningGateway) -> None:
    tenant_id = await _tenant(gateway)
    viewer = await add_member(gateway, tenant_id, "viewer")
    async with gateway.client() as client:
        statuses = [
            (await client.post(f"{API}/auth/sign-in", json={"email": viewer.email, "password": f"wrong {n}"})).status_code
            for n in range(MAX_FAILURES)
        ]
        locked = await client.post(f"{API}/auth/sign-in", json={"email": viewer.email, "password": PASSWORD})
        unknown = await client.post(f"{API}/auth/sign-in", json={"email": "nobody@example.com", "password": PASSWORD})
    assert statuses == [401] * MAX_FAILURES
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 500
    assert "set-cookie" not in locked.headers
    assert unknown.status_code == 401 and unknown.json()["error"]["message"] == "wrong e-mail or password"
    assert await _count(gateway, WebSession, col(WebSession.user_id) == viewer.user_id) == 0
    user = await _user(gateway, viewer.user_id)
    assert user is not None and user.locked_until is not None


async def test_sign_in_never_keeps_the_session_the_browser_brought(gateway: RunningGateway) -> None:
    tenant_id = await _tenant(gateway)
    editor = await add_member(gateway, tenant_id, "editor")
    planted = await sign_in(gateway, editor)  # e.g. a token an attacker got into the victim's browser
    renewed = await sign_in(gateway, editor, headers={"Cookie": f"{planted.cookie_name}={planted.token}"})
    assert renewed.token != planted.token and renewed.csrf != planted.csrf
    assert await _get(gateway, "/auth/me", planted.headers()) == 401
    assert await _get(gateway, "/auth/me", renewed.headers()) == 200
    async with gateway.client(headers={"Cookie": f"{planted.cookie_name}=ws-chosen-by-an-attacker"}) as client:
        response = await client.post(f"{API}/auth/sign-in", json={"email": editor.email, "password": PASSWORD})
    assert session_cookie(gateway, response) != "ws-chosen-by-an-attacker"


async def test_a_cookie_replayed_after_sign_out_is_refused(gateway: RunningGateway) -> None:
    tenant_id = await _tenant(gateway)
    editor = await add_member(gateway, tenant_id, "editor")
    browser = await sign_in(gateway, editor)
    async with gateway.client(headers=browser.headers()) as client:
        assert (await client.post(f"{API}/auth/sign-out")).status_code == 200
    assert await _get(gateway, "/auth/me", browser.headers()) == 401
    async with gateway.client(headers=browser.headers()) as client:
        replayed = await client.post(f"{API}/knowledge-bases", json={"name": "after sign-out"})
    assert replayed.status_code == 401
    assert await _count(gateway, KnowledgeBase, col(KnowledgeBase.tenant_id) == tenant_id) == 0


async def test_sign_out_everywhere_ends_every_browser_but_not_keys(gateway: RunningGateway) -> None:
    tenant_id = await _tenant(gateway)
    editor = await add_member(gateway, tenant_id, "editor")
    laptop, phone = await sign_in(gateway, editor), await sign_in(gateway, editor)
    async with gateway.client(headers=laptop.headers()) as client:
        response = await client.post(f"{API}/auth/sign-out-everywhere")
    assert response.status_code == 200 and response.json()["data"]["ended_sessions"] == 2
    assert await _get(gateway, "/auth/me", laptop.headers()) == 401
    assert await _get(gateway, "/auth/me", phone.headers()) == 401
    assert await _get(gateway, "/auth/me", editor.headers) == 200


async def test_cookie_writes_need_the_csrf_token(gateway: RunningGateway) -> None:
    tenant_id = await _tenant(gateway)
    admin = await add_member(gateway, tenant_id, "admin")
    browser = await sign_in(gateway, admin)
    async with gateway.client(headers=browser.headers(csrf=False)) as client:
        missing = await client.post(f"{API}/groups", json={"name": "csrf"})
        forged = await client.post(f"{API}/groups", json={"name": "csrf"}, headers={"X-CSRF-Token": "forged"})
        read = await client.get(f"{API}/groups")
    assert missing.status_code == forged.status_code == 403
    assert missing.json()["error"]["code"] == "forbidden"
    assert read.status_code == 200
    assert await _count(gateway, Group, col(Group.tenant_id) == tenant_id) == 0
    async with gateway.client(headers=browser.headers()) as client:
        assert (await client.post(f"{API}/groups", json={"name": "csrf"})).status_code == 201


async def test_disabling_or_removing_a_user_stops_their_sessions_and_keys_at_once(gateway: RunningGateway) -> None:
    tenant_id = await _tenant(gateway)
    owner = await add_member(gateway, tenant_id, "owner")
    editor, viewer = await add_member(gateway, tenant_id, "editor"), await add_member(gateway, tenant_id, "viewer")
    editor_browser, viewer_browser = await sign_in(gateway, editor), await sign_in(gateway, viewer)
    async with gateway.client(owner) as client:
        assert (await client.patch(f"{API}/users/{editor.user_id}", json={"disabled": True})).status_code == 200
        assert (await client.delete(f"{API}/users/{viewer.user_id}")).status_code == 200
    for headers in (editor_browser.headers(), editor.headers, viewer_browser.headers(), viewer.headers):
        assert await _get(gateway, "/auth/me", headers) == 401
    async with gateway.client() as client:
        again = await client.post(f"{API}/auth/sign-in", json={"email": editor.email, "password": PASSWORD})
    assert again.status_code == 401
    assert await _user(gateway, viewer.user_id) is None
    assert await _count(gateway, ApiKey, col(ApiKey.user_id) == viewer.user_id) == 0


async def test_revoked_expired_and_rotated_keys_are_refused(gateway: RunningGateway) -> None:
    tenant_id = await _tenant(gateway)
    editor = await add_member(gateway, tenant_id, "editor")
    async with gateway.client(editor) as client:
        made = [(await client.post(f"{API}/api-keys", json={"name": n, "scopes": ["read"]})).json()["data"]
                for n in ("to revoke", "to expire", "to rotate")]
        assert (await client.post(f"{API}/api-keys/{made[0]['id']}/revoke")).status_code == 200
        rotated = (await client.post(f"{API}/api-keys/{made[2]['id']}/rotate")).json()["data"]
    async with gateway.sessions() as session, session.begin():
        await session.execute(
            update(ApiKey).where(col(ApiKey.id) == made[1]["id"]).values(expires_at=datetime.now(UTC) - timedelta(1))
        )
    for key in (made[0]["key"], made[1]["key"], made[2]["key"]):
        assert await _get(gateway, "/auth/me", {"X-API-Key": key}) == 401
    assert await _get(gateway, "/auth/me", {"X-API-Key": rotated["key"]}) == 200
    assert rotated["prefix"] == rotated["key"][:10] != made[2]["prefix"]


async def test_keys_never_exceed_their_maker_or_their_owners_role(gateway: RunningGateway) -> None:
    tenant_id = await _tenant(gateway)
    owner, editor = await add_member(gateway, tenant_id, "owner"), await add_member(gateway, tenant_id, "editor")
    async with gateway.client(editor) as client:
        too_much = await client.post(f"{API}/api-keys", json={"name": "x", "scopes": ["read", "admin"]})
        writer = (await client.post(f"{API}/api-keys", json={"name": "w", "scopes": ["read", "write"]})).json()["data"]
    assert too_much.status_code == 403
    async with gateway.client(owner) as client:
        assert (await client.patch(f"{API}/users/{editor.user_id}", json={"role": "viewer"})).status_code == 200
    async with gateway.client(headers={"X-API-Key": writer["key"]}) as client:
        refused = await client.post(f"{API}/knowledge-bases", json={"name": "demoted"})
        me = (await client.get(f"{API}/auth/me")).json()["data"]
    assert refused.status_code == 403 and me["scopes"] == ["read"]
    assert await _count(gateway, KnowledgeBase, col(KnowledgeBase.tenant_id) == tenant_id) == 0


async def test_a_viewer_on_a_write_route_changes_nothing(gateway: RunningGateway) -> None:
    tenant_id = await _tenant(gateway)
    viewer = await add_member(gateway, tenant_id, "viewer")
    async with gateway.client(viewer) as client:
        created = await client.post(f"{API}/knowledge-bases", json={"name": "viewer's"})
        invited = await client.post(f"{API}/invitations", json={"email": "x@example.com", "role": "viewer"})
    assert created.status_code == invited.status_code == 403
    assert created.json()["error"]["message"] == "this needs the 'write' scope; the caller has read"
    assert await _count(gateway, KnowledgeBase, col(KnowledgeBase.tenant_id) == tenant_id) == 0


async def test_a_tenant_cannot_name_another_tenants_ids(gateway: RunningGateway) -> None:
    acme_id, globex_id = await _tenant(gateway, "acme"), await _tenant(gateway, "globex")
    acme_admin = await add_member(gateway, acme_id, "admin")
    globex_admin = await add_member(gateway, globex_id, "admin")
    globex_viewer = await add_member(gateway, globex_id, "viewer")
    async with gateway.client(globex_admin) as client:
        globex_group = (await client.post(f"{API}/groups", json={"name": "globex"})).json()["data"]
        globex_key = (await client.get(f"{API}/api-keys")).json()["data"][0]
    async with gateway.client(acme_admin) as client:
        acme_group = (await client.post(f"{API}/groups", json={"name": "acme"})).json()["data"]
        statuses = [
            (await client.patch(f"{API}/users/{globex_viewer.user_id}", json={"role": "admin"})).status_code,
            (await client.delete(f"{API}/users/{globex_viewer.user_id}")).status_code,
            (await client.put(f"{API}/groups/{acme_group['id']}/members/{globex_viewer.user_id}")).status_code,
            (await client.put(f"{API}/groups/{globex_group['id']}/members/{acme_admin.user_id}")).status_code,
            (await client.delete(f"{API}/groups/{globex_group['id']}")).status_code,
            (await client.post(f"{API}/api-keys/{globex_key['id']}/revoke")).status_code,
            (await client.post(f"{API}/api-keys", json={"name": "x", "scopes": ["read"],
                                                        "user_id": globex_viewer.user_id})).status_code,
        ]
        listed = (await client.get(f"{API}/users")).json()["data"]
    assert statuses == [404] * len(statuses)
    assert {user["id"] for user in listed} == {acme_admin.user_id}
    user = await _user(gateway, globex_viewer.user_id)
    assert user is not None and user.role == "viewer"
    assert await _count(gateway, Group, col(Group.tenant_id) == globex_id) == 1
    assert await _get(gateway, "/auth/me", {"X-API-Key": globex_admin.key}) == 200


async def test_invitations_join_the_tenant_and_respect_the_seat_limit(gateway: RunningGateway) -> None:
    tenant_id = await _tenant(gateway)
    admin = await add_member(gateway, tenant_id, "admin")
    async with gateway.sessions() as session, session.begin():
        await session.execute(update(Tenant).where(col(Tenant.id) == tenant_id).values(seat_limit=3))
    async with gateway.client(admin) as client:
        first = (await client.post(f"{API}/invitations", json={"email": "Ann@Example.com", "role": "editor"})).json()
        second = (await client.post(f"{API}/invitations", json={"email": "bo@example.com", "role": "viewer"})).json()
        over = await client.post(f"{API}/invitations", json={"email": "cy@example.com", "role": "viewer"})
        seats = (await client.get(f"{API}/users/seats")).json()["data"]
    assert over.status_code == 429 and over.json()["error"]["field"] == "seats"
    assert seats == {"used": 1, "pending": 2, "limit": 3}
    async with gateway.client() as client:
        joined = await client.post(f"{API}/auth/invitations/accept",
                                   json={"token": first["data"]["token"], "name": "Ann", "password": "a long new password"})
        reused = await client.post(f"{API}/auth/invitations/accept",
                                   json={"token": first["data"]["token"], "name": "Ann", "password": "a long new password"})
    assert joined.status_code == 201, joined.text
    assert joined.json()["data"]["user"]["email"] == "ann@example.com" and joined.json()["data"]["role"] == "editor"
    browser = Browser("__Host-jisik-session", session_cookie(gateway, joined), joined.json()["data"]["csrf_token"])
    assert await _get(gateway, "/auth/me", browser.headers()) == 200
    assert reused.status_code == 401
    async with gateway.sessions() as session, session.begin():  # someone took the last seat meanwhile
        await session.execute(update(Tenant).where(col(Tenant.id) == tenant_id).values(seat_limit=2))
    async with gateway.client() as client:
        no_seat = await client.post(f"{API}/auth/invitations/accept",
                                    json={"token": second["data"]["token"], "password": "another long password"})
    assert no_seat.status_code == 429
    assert await _count(gateway, User, col(User.tenant_id) == tenant_id) == 2


async def test_a_plan_with_a_seats_limit_sets_the_seats_unless_the_tenant_has_its_own(gateway: RunningGateway) -> None:
    tenant_id = await _tenant(gateway)
    admin = await add_member(gateway, tenant_id, "admin")
    async with gateway.sessions() as session, session.begin():
        session.add(Plan(id=f"p{tenant_id[:8]}", name="two seats", monthly_limits={"seats": 2}, unit_prices={}))
        await session.flush()
        await set_plan(session, tenant_id, f"p{tenant_id[:8]}")
    async with gateway.client(admin) as client:
        on_plan = (await client.get(f"{API}/users/seats")).json()["data"]
        await client.post(f"{API}/invitations", json={"email": "one@example.com"})
        full = await client.post(f"{API}/invitations", json={"email": "two@example.com"})
    assert on_plan == {"used": 1, "pending": 0, "limit": 2} and full.status_code == 429
    async with gateway.sessions() as session, session.begin():
        await session.execute(update(Tenant).where(col(Tenant.id) == tenant_id).values(seat_limit=10))
    async with gateway.client(admin) as client:
        assert (await client.get(f"{API}/users/seats")).json()["data"]["limit"] == 10


async def test_only_an_owner_makes_owners_and_the_last_owner_stays(gateway: RunningGateway) -> None:
    tenant_id = await _tenant(gateway)
    owner, admin = await add_member(gateway, tenant_id, "owner"), await add_member(gateway, tenant_id, "admin")
    async with gateway.client(admin) as client:
        promote = await client.patch(f"{API}/users/{admin.user_id}", json={"role": "owner"})
        demote_owner = await client.patch(f"{API}/users/{owner.user_id}", json={"role": "viewer"})
        invite_owner = await client.post(f"{API}/invitations", json={"email": "o@example.com", "role": "owner"})
        remove_self = await client.delete(f"{API}/users/{admin.user_id}")
    assert [promote.status_code, demote_owner.status_code, invite_owner.status_code, remove_self.status_code] == [
        403, 403, 403, 403]
    async with gateway.client(owner) as client:
        last = await client.patch(f"{API}/users/{owner.user_id}", json={"role": "admin"})
    assert last.status_code == 409
    user = await _user(gateway, owner.user_id)
    assert user is not None and user.role == "owner"


async def test_password_change_needs_the_current_one_and_renews_the_session(gateway: RunningGateway) -> None:
    tenant_id = await _tenant(gateway)
    editor: Member = await add_member(gateway, tenant_id, "editor")
    browser, other = await sign_in(gateway, editor), await sign_in(gateway, editor)
    async with gateway.client(headers=browser.headers()) as client:
        wrong = await client.post(f"{API}/auth/password",
                                  json={"current_password": "not it", "new_password": "a brand new password"})
        changed = await client.post(f"{API}/auth/password",
                                    json={"current_password": PASSWORD, "new_password": "a brand new password"})
    assert wrong.status_code == 401 and changed.status_code == 200
    assert await _get(gateway, "/auth/me", other.headers()) == 401
    renewed = Browser(browser.cookie_name, session_cookie(gateway, changed), changed.json()["data"]["csrf_token"])
    assert await _get(gateway, "/auth/me", renewed.headers()) == 200
    async with gateway.client() as client:
        old = await client.post(f"{API}/auth/sign-in", json={"email": editor.email, "password": PASSWORD})
    assert old.status_code == 401


async def test_a_users_session_and_keys_read_what_names_them_or_their_groups(gateway: RunningGateway) -> None:
    tenant_id = await _tenant(gateway)
    admin, viewer = await add_member(gateway, tenant_id, "admin"), await add_member(gateway, tenant_id, "viewer")
    browser = await sign_in(gateway, viewer)
    async with gateway.client(admin) as client:
        base = (await client.post(f"{API}/knowledge-bases", json={"name": "hr"})).json()["data"]
        document = (await client.post(f"{API}/knowledge-bases/{base['id']}/knowledge/manual",
                                      json={"title": "pay", "content": "급여는 25일", "status": "draft"})).json()["data"]
        listed = await client.put(f"{API}/knowledge/{document['id']}/access", json={"principals": ["group:hr"]})
        assert listed.status_code == 200, listed.text
        group = (await client.post(f"{API}/groups", json={"name": "hr"})).json()["data"]
    path = f"/knowledge/{document['id']}"
    assert await _get(gateway, path, viewer.headers) == 404
    assert await _get(gateway, path, browser.headers()) == 404
    async with gateway.client(admin) as client:
        assert (await client.put(f"{API}/groups/{group['id']}/members/{viewer.user_id}")).status_code == 200
    assert await _get(gateway, path, viewer.headers) == 200
    assert await _get(gateway, path, browser.headers()) == 200
    async with gateway.client(admin) as client:
        assert (await client.delete(f"{API}/groups/{group['id']}/members/{viewer.user_id}")).status_code == 200
    assert await _get(gateway, path, viewer.headers) == 404
