"""Access lists and single sign-on in the web app, in real headless Chromium (web/e2e/run.mjs) against a
real gateway that serves the built app on a real database (no other service is needed for either), and
a real OpenID Connect provider (oidc-provider-mock) for the sign-in."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from jisik.runtime.tansu import EmbeddedTansu
from jisik.secret_box import SecretBox
from tests.gateway.gateway_testkit import RunningGateway, gateway_settings, running_gateway
from tests.oidc_provider import running_provider
from tests.web.webapp import WEB, require_browser, run_npm, run_scenario

pytestmark = [pytest.mark.browser, pytest.mark.integration]

SUBJECT = "park-sub"
CLAIMS = {"email": "park@acme.example", "email_verified": True, "name": "Park Minji", "groups": ["finance"]}


@pytest.fixture(scope="module")
def built_web() -> Iterator[Path]:
    require_browser()
    if not (WEB / "dist" / "index.html").is_file():
        run_npm("run", "build")
    yield WEB / "dist"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    with running_provider({SUBJECT: CLAIMS}) as url:
        yield url


@pytest.fixture(scope="module")
async def web_gateway(
    built_web: Path, module_database: str, kafka: EmbeddedTansu, tmp_path_factory: pytest.TempPathFactory,
    provider: str,
) -> Any:
    settings = gateway_settings(module_database, tmp_path_factory.mktemp("web"), kafka_servers=kafka.bootstrap_servers,
                                endpoints={"egress_allow_list": [provider.removeprefix("http://")]})
    settings = settings.model_copy(update={
        "gateway": settings.gateway.model_copy(update={"web_dist": str(built_web)}),
        "accounts": settings.accounts.model_copy(update={"session_cookie_secure": False}),
        "endpoints": settings.endpoints.model_copy(update={"encryption_key": SecretStr(SecretBox.generate_key())}),
    })
    async with running_gateway(settings) as running:
        yield running


class TestAccessListsInTheBrowser:
    async def test_a_base_list_is_edited_saved_and_shown_again(self, web_gateway: RunningGateway,
                                                               tmp_path: Path) -> None:
        # In a thread: the gateway serves from this test's event loop meanwhile.
        report = await asyncio.to_thread(run_scenario, web_gateway.url, web_gateway.acme.api_key, "access-lists",
                                         tmp_path)
        assert "everyone" in report["before"]
        assert report["shown"] == ["group:hr", "user:kim"] == report["stored"]
        assert (tmp_path / "kb-access.png").stat().st_size > 0
        assert (tmp_path / "sso-settings.png").stat().st_size > 0


class TestSingleSignOnInTheBrowser:
    @pytest.mark.parametrize("locale", ["en-US", "ko-KR"])
    async def test_sign_in_through_the_provider_lands_signed_in(
        self, web_gateway: RunningGateway, provider: str, tmp_path: Path, locale: str
    ) -> None:
        async with web_gateway.client(web_gateway.acme) as admin:
            saved = await admin.put("/api/v1/tenant/sso", json={
                "enabled": True, "issuer": provider, "client_id": "jisik-web", "client_secret": "web-secret",
                "group_claim": "groups", "scopes": "openid email profile", "default_role": "viewer"})
            assert saved.status_code == 200, saved.text
        report = await asyncio.to_thread(
            run_scenario, web_gateway.url, "", "sso-signin", tmp_path, JISIK_E2E_OIDC_URL=provider,
            JISIK_E2E_TENANT="acme", JISIK_E2E_SUBJECT=SUBJECT, JISIK_E2E_LOCALE=locale,
        )
        assert report["me"]["user"]["email"] == "park@acme.example"
        assert report["me"]["role"] == "viewer" and "group:finance" in report["me"]["principals"]
        for picture in ("sso-sign-in.png", "sso-provider.png", "sso-signed-in.png"):
            assert (tmp_path / picture).stat().st_size > 0
