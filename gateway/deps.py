"""Request dependencies as ``Annotated`` aliases: a route reads ``session: SessionDep, tenant: TenantDep``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from chat import ChatPipeline, StreamRegistry
from jisik.actors import Actor, set_current_actor
from jisik.db.models import Tenant
from jisik.db.tenants import authenticate
from jisik.errors import Unauthenticated
from jisik.settings import Settings
from jisik.storage import ObjectStore

from .auth_limits import counted_attempt
from .resources import GatewayResources

__all__ = [
    "PipelineDep",
    "ActorDep",
    "ResourcesDep",
    "SessionDep",
    "SettingsDep",
    "StoreDep",
    "StreamsDep",
    "TenantDep",
    "api_key_from",
]


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


_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="Tenant API key (sk-...)")
_bearer = HTTPBearer(auto_error=False, description="The tenant API key as a bearer token")


async def _tenant(
    request: Request,
    resources: ResourcesDep,
    x_api_key: Annotated[str | None, Security(_api_key_header)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> Tenant:
    """The caller's tenant, looked up in a short session of its own (streams hold no connection).
    Failed keys count towards the caller's backoff (:mod:`gateway.auth_limits`)."""
    api_key = api_key_from(x_api_key, f"Bearer {bearer.credentials}" if bearer else None)
    with counted_attempt(request):
        async with resources.auth_sessions() as session:
            tenant = await authenticate(session, api_key)
    actor = Actor(kind="key", id=tenant.api_key_prefix, tenant_id=tenant.id)
    request.state.actor = actor
    set_current_actor(actor)
    return tenant



def _store(resources: ResourcesDep) -> ObjectStore:
    return resources.store


def _pipeline(resources: ResourcesDep) -> ChatPipeline:
    return resources.pipeline


def _streams(resources: ResourcesDep) -> StreamRegistry:
    return resources.streams


SettingsDep = Annotated[Settings, Depends(_settings)]
SessionDep = Annotated[AsyncSession, Depends(_session, scope="function")]
TenantDep = Annotated[Tenant, Depends(_tenant)]
StoreDep = Annotated[ObjectStore, Depends(_store)]
PipelineDep = Annotated[ChatPipeline, Depends(_pipeline)]
StreamsDep = Annotated[StreamRegistry, Depends(_streams)]


def _actor(request: Request, tenant: TenantDep) -> Actor:  # noqa: ARG001  # resolving the tenant sets the actor
    """The authenticated actor of this request (resolved with its tenant)."""
    actor: Actor = request.state.actor
    return actor


ActorDep = Annotated[Actor, Depends(_actor)]
