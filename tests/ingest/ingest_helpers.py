"""Helpers for the ingest tests: settings pointing at the session's PostgreSQL and Tansu,
a tenant with a knowledge base, and an async session factory."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from jisik.db.models import Knowledge, KnowledgeBase
from jisik.db.tenants import create_tenant
from jisik.settings import DatabaseSettings, IngestSettings, KafkaSettings, Settings


def make_settings(database_url: str, bootstrap_servers: str, **ingest: Any) -> Settings:
    base = Settings.load()
    defaults: dict[str, Any] = {"retry_backoff_s": 0.05, "retry_backoff_max_s": 0.2, "redrive_interval_s": 0.5,
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


async def tenant_docs(sessions: async_sessionmaker[AsyncSession], ws: Workspace, count: int) -> list[Knowledge]:
    """``count`` published Markdown documents (pending) of the workspace's tenant."""
    from ingest import commands

    docs = []
    async with sessions.begin() as session:
        for number in range(count):
            docs.append(await commands.create_manual(
                session, tenant_id=ws.tenant_id, knowledge_base=ws.knowledge_base, title=f"doc {number}",
                content=f"# doc {number}\n\nbody {number}", publish=True))
    return docs


async def read_events(bootstrap: str, topic: str, knowledge_ids: set[str], *, want: int,
                      timeout_s: float = 60.0) -> list[dict[str, Any]]:
    """Events on ``topic`` for the given documents, waiting until ``want`` arrived or the time is up."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                enable_auto_commit=False, group_id=None)
    await consumer.start()
    found: list[dict[str, Any]] = []
    deadline = asyncio.get_running_loop().time() + timeout_s
    try:
        while len(found) < want and asyncio.get_running_loop().time() < deadline:
            batches = await consumer.getmany(timeout_ms=500)
            for records in batches.values():
                for record in records:
                    value = json.loads(record.value or b"{}")
                    if value.get("knowledge_id") in knowledge_ids:
                        found.append(value)
    finally:
        await consumer.stop()
    return found


async def wait_for(predicate: Callable[[], Awaitable[bool]], *, timeout_s: float = 120.0,
                   interval_s: float = 0.3) -> bool:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while asyncio.get_running_loop().time() < deadline:
        if await predicate():
            return True
        await asyncio.sleep(interval_s)
    return False


def make_pdf(pages: int, subject: str) -> bytes:
    """A real PDF with ``pages`` pages of distinct sentences about ``subject``."""
    import pymupdf

    document = pymupdf.open()
    for number in range(1, pages + 1):
        page = document.new_page()
        lines = [f"{subject} handbook, page {number}."] + [
            f"Section {number}.{line}: the {subject} rule number {number * 100 + line} applies to team {line}."
            for line in range(1, 25)
        ]
        page.insert_text((50, 60), "\n".join(lines), fontsize=10)
    data = document.tobytes()
    document.close()
    return data


def make_scanned_pdf(pages: int, subject: str) -> bytes:
    """A PDF of page images only (no text layer), so the docreader OCRs every page: slow on purpose."""
    import pymupdf

    text = pymupdf.open(stream=make_pdf(pages, subject), filetype="pdf")
    scanned = pymupdf.open()
    for page in text:  # type: ignore[attr-defined]  # pymupdf's Document iterates its pages; its hints lack __iter__
        image = page.get_pixmap(dpi=150).tobytes("png")
        scanned.new_page(width=page.rect.width, height=page.rect.height).insert_image(page.rect, stream=image)
    data = scanned.tobytes()
    scanned.close()
    text.close()
    return data
