"""Helpers of the webhook tests: an engine on a migrated database, tenants and endpoints."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from jisik.db.engine import create_engine, session_factory
from jisik.db.models import WebhookMessage
from jisik.db.tenants import create_tenant
from jisik.netguard import AddressPolicy
from jisik.secret_box import SecretBox
from jisik.settings import WebhookSettings
from jisik.webhooks.endpoints import create_endpoint

LOOPBACK = AddressPolicy(["127.0.0.1"])
# The operator's key of these tests: endpoints are stored sealed with it, workers open them with it.
ENCRYPTION_KEY = SecretBox.generate_key()
BOX = SecretBox(ENCRYPTION_KEY)


@dataclass(frozen=True)
class NewEndpoint:
    id: str
    # In clear, as the API shows it once; the row holds it sealed.
    secret: str


@asynccontextmanager
async def sessions_for(url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(url, pool_size=4)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


async def new_tenant(sessions: async_sessionmaker[AsyncSession], name: str = "acme") -> str:
    async with sessions.begin() as session:
        tenant, _ = await create_tenant(session, name=name)
        return tenant.id


async def new_endpoint(
    sessions: async_sessionmaker[AsyncSession],
    tenant_id: str,
    url: str,
    event_types: list[str],
    *,
    enabled: bool = True,
) -> NewEndpoint:
    async with sessions.begin() as session:
        endpoint, secret = await create_endpoint(
            session, tenant_id=tenant_id, url=url, event_types=event_types, description="", enabled=enabled,
            policy=LOOPBACK, settings=WebhookSettings(), box=BOX,
        )
        return NewEndpoint(endpoint.id, secret)


async def staged(sessions: async_sessionmaker[AsyncSession], event_type: str) -> list[dict[str, Any]]:
    """The ``data`` of every message of ``event_type`` staged so far."""
    async with sessions() as session:
        rows = (await session.execute(select(WebhookMessage).where(col(WebhookMessage.event_type) == event_type))).scalars()
        return [dict(row.payload["data"]) for row in rows]
