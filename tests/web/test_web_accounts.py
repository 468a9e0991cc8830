"""People in real headless Chromium against a gateway serving the built app: sign in through the form (an
HttpOnly session cookie, no API key), invite someone from the People page, make an API key, sign out (the
cookie stops working); service accounts and their keys; an invitation accepted in a second browser."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from jisik.accounts.passwords import Passwords
from jisik.accounts.people import add_person
from jisik.runtime.tansu import EmbeddedTansu
from tests.gateway.gateway_testkit import RunningGateway, Tenant, gateway_settings, running_gateway
from tests.web.test_web_access import built_web
from tests.web.webapp import run_scenario

__all__ = ["built_web"]  # the built app, shared with the access-list scenario

pytestmark = [pytest.mark.browser, pytest.mark.integration]

PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
async def web_gateway(
    built_web: Path, module_database: str, kafka: EmbeddedTansu, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[RunningGateway]:
    """The gateway serving the built app, with the default (Secure, __Host-) session cookie."""
    settings = gateway_settings(module_database, tmp_path_factory.mktemp("web"), kafka_servers=kafka.bootstrap_servers)
    settings = settings.model_copy(update={"gateway": settings.gateway.model_copy(update={"web_dist": str(built_web)})})
    async with running_gateway(settings) as running:
        yield running


async def _add_owner(gateway: RunningGateway, tenant: Tenant, email: str) -> None:
    hashed = await Passwords(gateway.settings.accounts).hash(PASSWORD)
    async with gateway.sessions() as session, session.begin():
        await add_person(session, tenant.id, email=email, name="Owner", role="owner", password_hash=hashed)


async def _scenario_as_owner(gateway: RunningGateway, tenant: Tenant, email: str, name: str,
                             tmp_path: Path) -> dict[str, Any]:
    """Runs scenario ``name`` with ``email`` (an owner of ``tenant``) signing in. In a thread: the gateway serves
    from this test's event loop meanwhile."""
    return await asyncio.to_thread(run_scenario, gateway.url, tenant.api_key, name, tmp_path, JISIK_E2E_EMAIL=email,
                                   JISIK_E2E_PASSWORD=PASSWORD)


def _assert_screenshots(folder: Path, *names: str) -> None:
    for name in names:
        assert (folder / f"{name}.png").stat().st_size > 0, name


@pytest.fixture(scope="module")
async def globex_owner(web_gateway: RunningGateway) -> str:
    """An owner of the second tenant (globex), so these scenarios leave acme's seats and keys alone."""
    await _add_owner(web_gateway, web_gateway.globex, "owner@globex.example")
    return "owner@globex.example"


async def test_an_admin_signs_in_with_a_password_and_invites_someone(web_gateway: RunningGateway,
                                                                      tmp_path: Path) -> None:
    await _add_owner(web_gateway, web_gateway.acme, "owner@example.com")
    report = await _scenario_as_owner(web_gateway, web_gateway.acme, "owner@example.com", "accounts", tmp_path)
    assert [report["invited"], "editor"] in report["stored"]
    assert report["cookie"] == {"name": "__Host-jisik-session", "secure": True}
    assert report["keyWorks"] == 200 and report["afterSignOut"] == 401
    assert "1 of 25" in report["seats"]
    _assert_screenshots(tmp_path, "sign-in", "people", "keys")


async def test_a_service_account_gets_a_key_that_is_rotated_then_revoked(
    web_gateway: RunningGateway, globex_owner: str, tmp_path: Path
) -> None:
    report = await _scenario_as_owner(web_gateway, web_gateway.globex, globex_owner, "service-accounts", tmp_path)
    assert report["role"] == "Editor"
    # The key acts as the service account, with its role and the scopes asked for.
    first = report["first"]
    assert first["status"] == 200 and first["me"]["role"] == "editor"
    assert first["me"]["user"] == {**first["me"]["user"], "kind": "service", "name": report["account"]}
    assert sorted(first["me"]["scopes"]) == ["read", "write"]
    assert report["afterRotate"] == {"old": 401, "new": 200} and report["afterRevoke"] == 401
    assert report["secretShownAfterReload"] is False
    assert report["tabKo"] == "서비스 계정"
    async with web_gateway.client(web_gateway.globex) as admin:
        keys = (await admin.get("/api/v1/api-keys")).json()["data"]
    [key] = [key for key in keys if key["user_id"] == first["me"]["user"]["id"]]
    assert key["name"] == "importer" and key["revoked_at"] is not None
    lifetime = datetime.fromisoformat(key["expires_at"]) - datetime.fromisoformat(key["created_at"])
    assert lifetime == timedelta(days=30)
    _assert_screenshots(tmp_path, "service-accounts", "service-accounts-ko")


async def test_an_invited_person_accepts_in_the_browser_and_signs_in_with_their_password(
    web_gateway: RunningGateway, globex_owner: str, tmp_path: Path
) -> None:
    report = await _scenario_as_owner(web_gateway, web_gateway.globex, globex_owner, "invitation-accept", tmp_path)
    invited = report["invited"]
    assert report["signedInAs"] == invited  # signed in right after accepting
    assert report["reused"]  # the second use of the link is refused with a message
    me = report["me"]  # then signed in again with the chosen password
    assert me["user"]["email"] == invited and me["user"]["name"] == "Lee Seoyeon" and me["role"] == "editor"
    assert me["tenant_id"] == web_gateway.globex.id
    async with web_gateway.client(web_gateway.globex) as admin:
        users = (await admin.get("/api/v1/users")).json()["data"]
        invitations = (await admin.get("/api/v1/invitations")).json()["data"]
    assert [(u["kind"], u["role"], u["disabled"]) for u in users if u["email"] == invited] == [("person", "editor", False)]
    assert invited not in [item["email"] for item in invitations]  # accepted: no longer open
    _assert_screenshots(tmp_path, "accept-invitation", "invitee-signed-in")
