"""Request dependencies as ``Annotated`` aliases: a route reads ``session: SessionDep, tenant: TenantDep``.

Authentication: an API key (``X-API-Key`` or ``Authorization: Bearer``) or the web session cookie. A
request that comes with the cookie and changes state must also send the session's CSRF token in
``X-CSRF-Token``. Every route declares what it needs: ``dependencies=[require_scope("write")]`` (or
``read``/``review``/``admin``), or ``dependencies=[PUBLIC]`` when it authenticates by other means.
"""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from chat import ChatPipeline, StreamRegistry
from jisik.accounts.credentials import Authenticated, by_api_key, by_session_token
from jisik.accounts.roles import Scope
from jisik.actors import Actor, set_current_actor
from jisik.db.models import Tenant
from jisik.errors import Forbidden, Unauthenticated
from jisik.settings import AccountSettings, Settings
from jisik.storage import ObjectStore

from .auth_limits import counted_attempt
from .resources import GatewayResources

__all__ = [
    "CSRF_HEADER",
    "PUBLIC",
    "ActorDep",
    "CallerDep",
    "PipelineDep",
    "ResourcesDep",
    "ScopeRequirement",
    "SessionDep",
    "SettingsDep",
    "StoreDep",
    "StreamsDep",
    "TenantDep",
    "api_key_from",
    "require_owner",
    "require_scope",
    "session_cookie_name",
]

CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _resources(request: Request) -> GatewayResources:
    return request.app.state.resources


ResourcesDep = Annotated[GatewayResources, Depends(_resources)]


def _settings(resources: ResourcesDep) -> Settings:
    return resources.settings


async def _session(resources: ResourcesDep) -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed when the route returns, rolled back when it raises."""
    async with resources.sessions() as session, session.begin():
        yield session


def api_key_from(x_api_key: str | None, authorization: str | None) -> str:
    if x_api_key:
        return x_api_key.strip()
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
    raise Unauthenticated("missing API key: send X-API-Key or Authorization: Bearer <key>")


def session_cookie_name(settings: AccountSettings) -> str:
    """``__Host-`` cookies are only accepted when Secure, for this host and path ``/``."""
    return "__Host-jisik-session" if settings.session_cookie_secure else "jisik-session"


_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key (sk-...)")
_bearer = HTTPBearer(auto_error=False, description="An API key as a bearer token")


def _check_csrf(request: Request, expected: str) -> None:
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise Forbidden(f"a signed-in browser must send the session's {CSRF_HEADER} header with this request")


async def _caller(
    request: Request,
    resources: ResourcesDep,
    x_api_key: Annotated[str | None, Security(_api_key_header)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> Authenticated:
    """Who calls, looked up in a short session of its own (streams hold no connection). A key wins over
    the cookie. Failed credentials count towards the caller's backoff (:mod:`gateway.auth_limits`)."""
    accounts = resources.settings.accounts
    cookie = request.cookies.get(session_cookie_name(accounts))
    now = datetime.now(UTC)
    if x_api_key or bearer or not cookie:
        api_key = api_key_from(x_api_key, f"Bearer {bearer.credentials}" if bearer else None)
        with counted_attempt(request):
            async with resources.sessions() as session:
                caller = await by_api_key(session, api_key, now)
    else:
        with counted_attempt(request):
            async with resources.sessions() as session:
                caller = await by_session_token(
                    session, cookie, now, idle=timedelta(minutes=accounts.session_idle_minutes)
                )
        assert caller.web_session is not None
        if request.method not in _SAFE_METHODS:
            _check_csrf(request, caller.web_session.csrf_token)
    request.state.actor = caller.actor
    set_current_actor(caller.actor)
    return caller


CallerDep = Annotated[Authenticated, Depends(_caller)]


class ScopeRequirement:
    """The dependency a route declares to say which scope it needs (see :func:`require_scope`)."""

    def __init__(self, scope: Scope) -> None:
        self.scope: Scope = scope

    def __call__(self, caller: CallerDep) -> Actor:
        actor = caller.actor
        if not actor.may(self.scope):
            held = ", ".join(sorted(actor.scopes)) or "none"
            raise Forbidden(f"this needs the {self.scope!r} scope; the caller has {held}")
        return actor

    def __repr__(self) -> str:
        return f"require_scope({self.scope!r})"


_REQUIREMENTS: dict[Scope, ScopeRequirement] = {
    scope: ScopeRequirement(scope) for scope in ("read", "write", "review", "admin")
}


def require_scope(scope: Scope) -> Any:
    """``@router.post(..., dependencies=[require_scope("write")])``: the caller must hold ``scope``."""
    return Depends(_REQUIREMENTS[scope])


def require_owner(actor: Actor, action: str) -> None:
    """:raises Forbidden: ``actor`` is not an owner (owner-only actions on top of the ``admin`` scope)."""
    if actor.role != "owner" or not actor.may("admin"):
        raise Forbidden(f"only an owner may {action}")


def _public() -> None:
    """Marks a route that needs no session or key (health, sign-in, invitations, the admin token)."""


PUBLIC: Any = Depends(_public)


def _store(resources: ResourcesDep) -> ObjectStore:
    return resources.store


def _pipeline(resources: ResourcesDep) -> ChatPipeline:
    return resources.pipeline


def _streams(resources: ResourcesDep) -> StreamRegistry:
    return resources.streams


def _tenant(caller: CallerDep) -> Tenant:
    return caller.tenant


def _actor(caller: CallerDep) -> Actor:
    """The authenticated actor of this request."""
    return caller.actor


SettingsDep = Annotated[Settings, Depends(_settings)]
SessionDep = Annotated[AsyncSession, Depends(_session, scope="function")]
TenantDep = Annotated[Tenant, Depends(_tenant)]
ActorDep = Annotated[Actor, Depends(_actor)]
StoreDep = Annotated[ObjectStore, Depends(_store)]
PipelineDep = Annotated[ChatPipeline, Depends(_pipeline)]
StreamsDep = Annotated[StreamRegistry, Depends(_streams)]
