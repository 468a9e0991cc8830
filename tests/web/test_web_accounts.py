"""Password sign-in and one admin action in real headless Chromium against a gateway serving the built
app: sign in through the form (an HttpOnly session cookie, no API key), invite someone from the People
page, make an API key, sign out (the cookie stops working)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from jisik.accounts.passwords import Passwords
from jisik.accounts.people import add_person
from tests.gateway.gateway_testkit import RunningGateway
from tests.web.test_web_access import built_web, run_scenario, web_gateway

__all__ = ["built_web", "web_gateway"]  # fixtures shared with the access-list scenario

pytestmark = [pytest.mark.browser, pytest.mark.integration]

PASSWORD = "a long enough password"


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
