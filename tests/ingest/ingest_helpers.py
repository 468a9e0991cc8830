"""Helpers for the ingest tests: settings pointing at the session's PostgreSQL and Tansu,
a tenant with a knowledge base, and an async session factory."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from jisik.db.models import KnowledgeBase
from jisik.db.tenants import create_tenant
from jisik.settings import DatabaseSettings, IngestSettings, KafkaSettings, Settings


def make_settings(database_url: str, bootstrap_servers: str, **ingest: object) -> Settings:
    base = Settings.load()
    defaults: dict[str, object] = {"retry_backoff_s": 0.05, "retry_backoff_max_s": 0.2, "redrive_interval_s": 0.5,
                                   "redrive_stale_s": 3.0, "grpc_timeout_s": 60.0}
    return base.model_copy(update={
        "database": DatabaseSettings(url=database_url, pool_size=5),
        "kafka": KafkaSettings(bootstrap_servers=bootstrap_servers, session_timeout_ms=6000,
                               client_id=f"t-{uuid.uuid4().hex[:6]}"),
        "ingest": IngestSettings(**{**defaults, **ingest}),
    })


@dataclass
class Workspace:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    tenant_id: str
    knowledge_base: KnowledgeBase
    other_tenant_id: str
    other_knowledge_base: KnowledgeBase


async def tenant_with_base(sessions: async_sessionmaker[AsyncSession], name: str) -> tuple[str, KnowledgeBase]:
    async with sessions.begin() as session:
        tenant, _ = await create_tenant(session, name=name)
        base = KnowledgeBase(tenant_id=tenant.id, name=f"{name} docs")
        session.add(base)
    return tenant.id, base


def free_endpoint() -> str:
    """127.0.0.1:<port> where nothing listens."""
    from tests.conftest import free_port

    return f"127.0.0.1:{free_port()}"
