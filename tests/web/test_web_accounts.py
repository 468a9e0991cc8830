"""Password sign-in and one admin action in real headless Chromium against a gateway serving the built
app: sign in through the form (an HttpOnly session cookie, no API key), invite someone from the People
page, make an API key, sign out (the cookie stops working)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from jisik.accounts.passwords import Passwords
from jisik.accounts.people import add_person
from jisik.runtime.tansu import EmbeddedTansu
from tests.gateway.gateway_testkit import RunningGateway, gateway_settings, running_gateway
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


async def test_an_admin_signs_in_with_a_password_and_invites_someone(web_gateway: RunningGateway,
                                                                      tmp_path: Path) -> None:
    hashed = await Passwords(web_gateway.settings.accounts).hash(PASSWORD)
    async with web_gateway.sessions() as session, session.begin():
        await add_person(session, web_gateway.acme.id, email="owner@example.com", name="Owner", role="owner",
                         password_hash=hashed)
    # In a thread: the gateway serves from this test's event loop meanwhile.
    report = await asyncio.to_thread(run_scenario, web_gateway.url, web_gateway.acme.api_key, "accounts", tmp_path,
                                     JISIK_E2E_EMAIL="owner@example.com", JISIK_E2E_PASSWORD=PASSWORD)
    assert [report["invited"], "editor"] in report["stored"]
    assert report["cookie"] == {"name": "__Host-jisik-session", "secure": True}
    assert report["keyWorks"] == 200 and report["afterSignOut"] == 401
    assert "1 of 25" in report["seats"]
    for name in ("sign-in", "people", "keys"):
        assert (tmp_path / f"{name}.png").stat().st_size > 0
