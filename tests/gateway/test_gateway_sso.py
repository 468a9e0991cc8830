"""Single sign-on against a real OpenID Connect provider running in the test (oidc-provider-mock, an
authlib-based provider): discovery, the authorization code round trip, the ID token, the user created on
first sign-in with its groups, and the refusals (state, nonce, issuer, audience, replay) that create no
user."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from gateway_testkit import RunningGateway, gateway_settings, running_gateway
from pydantic import SecretStr
from sqlalchemy import func, select, text
from sqlmodel import col

from jisik.db.models import SsoIdentity, User
from jisik.runtime.tansu import EmbeddedTansu
from jisik.secret_box import SecretBox
from tests.oidc_provider import running_provider

pytestmark = pytest.mark.integration

API = "/api/v1"
KIM_SUB = "kim-sub"
KIM_CLAIMS = {"email": "kim@acme.example", "email_verified": True, "name": "Kim Jisoo", "groups": ["hr", "seoul-office"]}


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    with running_provider({KIM_SUB: KIM_CLAIMS}) as url:
        yield url


@pytest.fixture(scope="module")
async def sso_gateway(
    module_database: str, kafka: EmbeddedTansu, tmp_path_factory: pytest.TempPathFactory, provider: str
) -> AsyncIterator[RunningGateway]:
    port = urlsplit(provider).port
    settings = gateway_settings(module_database, tmp_path_factory.mktemp("sso"), kafka_servers=kafka.bootstrap_servers,
                                endpoints={"egress_allow_list": [f"127.0.0.1:{port}"]})
    settings = settings.model_copy(update={
        "accounts": settings.accounts.model_copy(update={"session_cookie_secure": False}),
        "endpoints": settings.endpoints.model_copy(update={"encryption_key": SecretStr(SecretBox.generate_key())}),
    })
    async with running_gateway(settings) as running:
        async with running.client(running.acme) as client:
            response = await client.put(f"{API}/tenant/sso", json={
                "enabled": True, "issuer": provider, "client_id": "jisik-acme", "client_secret": "s3cret-acme",
                "group_claim": "groups", "scopes": "openid email profile", "default_role": "viewer"})
            assert response.status_code == 200, response.text
        yield running


async def _users(gateway: RunningGateway) -> int:
    async with gateway.sessions() as session:
        return int((await session.execute(
            select(func.count()).select_from(User).where(col(User.tenant_id) == gateway.acme.id))).scalar_one())


async def _to_provider(browser: httpx.AsyncClient, gateway: RunningGateway) -> str:
    """Start the sign-in; returns the provider's authorization URL."""
    started = await browser.get(f"{API}/auth/sso/start", params={"tenant": gateway.acme.id})
    assert started.status_code == 302, started.text
    return started.headers["location"]


async def _approve(authorize_url: str, sub: str = KIM_SUB) -> dict[str, str]:
    """The provider's consent form, submitted for ``sub``; returns the callback's query."""
    async with httpx.AsyncClient() as provider:
        answer = await provider.post(authorize_url, data={"sub": sub})
    assert answer.status_code == 302, answer.text
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    return {name: values[0] for name, values in query.items()}


class TestSignInWithSso:
    async def test_first_sign_in_creates_the_user_with_groups_and_a_session(self, sso_gateway: RunningGateway) -> None:
        async with httpx.AsyncClient(base_url=sso_gateway.url) as browser:
            authorize = await _to_provider(browser, sso_gateway)
            query = parse_qs(urlsplit(authorize).query)
            assert query["code_challenge_method"] == ["S256"] and query["client_id"] == ["jisik-acme"]
            back = await _approve(authorize)
            done = await browser.get(f"{API}/auth/sso/callback", params=back)
            assert done.status_code == 303 and done.headers["location"] == "/?signed_in=sso", done.text
            me = (await browser.get(f"{API}/auth/me")).json()["data"]
        assert me["user"]["email"] == "kim@acme.example" and me["role"] == "viewer"
        assert {"group:hr", "group:seoul-office"} <= set(me["principals"])
        async with sso_gateway.sessions() as session:
            link = (await session.execute(select(SsoIdentity).where(col(SsoIdentity.subject) == KIM_SUB))).scalar_one()
        assert link.groups == ["hr", "seoul-office"]

        users = await _users(sso_gateway)  # the second sign-in finds the same user
        async with httpx.AsyncClient(base_url=sso_gateway.url) as browser:
            back = await _approve(await _to_provider(browser, sso_gateway))
            assert (await browser.get(f"{API}/auth/sso/callback", params=back)).status_code == 303
            replay = await browser.get(f"{API}/auth/sso/callback", params=back)
            assert replay.status_code == 401  # the sign-in is used up
        assert await _users(sso_gateway) == users

    async def test_a_callback_from_another_browser_is_refused(self, sso_gateway: RunningGateway) -> None:
        users = await _users(sso_gateway)
        async with httpx.AsyncClient(base_url=sso_gateway.url) as victim:
            back = await _approve(await _to_provider(victim, sso_gateway), sub="mallory-sub")
        async with httpx.AsyncClient(base_url=sso_gateway.url) as attacker:
            refused = await attacker.get(f"{API}/auth/sso/callback", params=back)
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthenticated"
        assert await _users(sso_gateway) == users

    @pytest.mark.parametrize("tamper", ["nonce", "audience", "issuer"])
    async def test_a_wrong_nonce_audience_or_issuer_creates_no_user(
        self, sso_gateway: RunningGateway, provider: str, tamper: str
    ) -> None:
        users = await _users(sso_gateway)
        async with httpx.AsyncClient(base_url=sso_gateway.url) as browser:
            back = await _approve(await _to_provider(browser, sso_gateway), sub=f"new-{tamper}")
            async with sso_gateway.sessions() as session, session.begin():
                if tamper == "nonce":  # the token will carry the nonce the provider was sent, not this one
                    await session.execute(text("UPDATE sso_logins SET nonce = 'another-sign-in'"))
                elif tamper == "audience":  # the token's audience is the client that asked for it
                    await session.execute(text("UPDATE tenant_sso SET client_id = 'another-client' "
                                               "WHERE tenant_id = :t"), {"t": sso_gateway.acme.id})
                else:  # the provider's discovery document names its issuer, which is not this one
                    await session.execute(text("UPDATE tenant_sso SET issuer = :i WHERE tenant_id = :t"),
                                          {"i": provider + "/", "t": sso_gateway.acme.id})
            try:
                refused = await browser.get(f"{API}/auth/sso/callback", params=back)
            finally:
                async with sso_gateway.sessions() as session, session.begin():
                    await session.execute(text("UPDATE tenant_sso SET client_id = 'jisik-acme', issuer = :i "
                                               "WHERE tenant_id = :t"), {"i": provider, "t": sso_gateway.acme.id})
        assert refused.status_code == 401, refused.text
        reason = {"nonce": "nonce claim", "audience": "refused the sign-in code", "issuer": "another issuer"}[tamper]
        assert reason in refused.json()["error"]["message"]
        assert await _users(sso_gateway) == users

    async def test_settings_keep_the_secret_and_refuse_bad_input(self, sso_gateway: RunningGateway) -> None:
        async with sso_gateway.client(sso_gateway.acme) as client:
            shown: dict[str, Any] = (await client.get(f"{API}/tenant/sso")).json()["data"]
            assert shown["has_client_secret"] is True and "client_secret" not in shown
            assert shown["redirect_uri"].endswith("/api/v1/auth/sso/callback")
            for bad in ({"scopes": "email"}, {"default_role": "owner"}, {"issuer": "ftp://x"}):
                body = {**{k: shown[k] for k in ("enabled", "issuer", "client_id", "group_claim", "scopes",
                                                  "default_role")}, "client_secret": None, **bad}
                assert (await client.put(f"{API}/tenant/sso", json=body)).status_code == 422, bad
        async with sso_gateway.client(sso_gateway.globex) as stranger:
            assert (await stranger.get(f"{API}/auth/sso/start", params={"tenant": sso_gateway.globex.id},
                                       follow_redirects=False)).status_code == 404
