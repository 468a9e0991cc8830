"""People of a test tenant: a user of a given role with a password and an API key holding every scope
of the role, and browser sessions driven by hand (httpx keeps no Secure cookie over plain HTTP)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from gateway_testkit import RunningGateway

from gateway.deps import session_cookie_name
from jisik.accounts.keys import create_key
from jisik.accounts.passwords import Passwords
from jisik.accounts.people import add_person
from jisik.accounts.roles import ROLE_SCOPES, Role
from jisik.actors import Actor

PASSWORD = "correct horse battery staple"


@dataclass
class Member:
    tenant_id: str
    user_id: str
    email: str
    role: Role
    key: str
    password: str = PASSWORD

    @property
    def headers(self) -> dict[str, str]:
        return {"X-API-Key": self.key}


@dataclass
class Browser:
    """A signed-in browser: the session cookie and its CSRF token."""

    cookie_name: str
    token: str
    csrf: str

    def headers(self, *, csrf: bool = True) -> dict[str, str]:
        headers = {"Cookie": f"{self.cookie_name}={self.token}"}
        return headers | ({"X-CSRF-Token": self.csrf} if csrf else {})


async def add_member(gateway: RunningGateway, tenant_id: str, role: Role, *, email: str | None = None) -> Member:
    address = email or f"{role}-{uuid.uuid4().hex[:8]}@example.com"
    password_hash = await Passwords(gateway.settings.accounts).hash(PASSWORD)
    async with gateway.sessions() as session, session.begin():
        user = await add_person(session, tenant_id, email=address, name=role.title(), role=role,
                                password_hash=password_hash)
        actor = Actor("user", user.id, tenant_id, role=role, scopes=ROLE_SCOPES[role], user_id=user.id)
        issued = await create_key(session, actor, datetime.now(UTC), name=f"{role} key",
                                  scopes=sorted(ROLE_SCOPES[role]), expires_in_days=30, max_days=365)
    return Member(tenant_id, user.id, address, role, issued.secret)


def session_cookie(gateway: RunningGateway, response: httpx.Response) -> str:
    """The session token the response set (read from Set-Cookie, as a browser would)."""
    name = session_cookie_name(gateway.settings.accounts)
    for header in response.headers.get_list("set-cookie"):
        first = header.split(";", 1)[0]
        key, _, value = first.partition("=")
        if key == name and value:
            return value.strip('"')
    raise AssertionError(f"no {name} cookie in {response.headers.get_list('set-cookie')}")


async def sign_in(gateway: RunningGateway, member: Member, **extra: Any) -> Browser:
    async with gateway.client() as client:
        response = await client.post(
            "/api/v1/auth/sign-in", json={"email": member.email, "password": member.password}, **extra
        )
    assert response.status_code == 200, response.text
    return Browser(
        session_cookie_name(gateway.settings.accounts), session_cookie(gateway, response),
        response.json()["data"]["csrf_token"],
    )
