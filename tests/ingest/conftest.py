"""Fixtures of the ingest tests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from aiokafka import AIOKafkaProducer
from ingest_helpers import Workspace, make_settings, tenant_with_base

from jisik.db.engine import create_engine, session_factory
from jisik.events import Topic
from jisik.kafka import create_producer, ensure_topics
from jisik.runtime.tansu import EmbeddedTansu


@pytest.fixture
async def workspace(module_database: str, kafka: EmbeddedTansu) -> AsyncIterator[Workspace]:
    settings = make_settings(module_database, kafka.bootstrap_servers)
    engine = create_engine(module_database, pool_size=5)
    sessions = session_factory(engine)
    suffix = uuid.uuid4().hex[:6]
    tenant_id, base = await tenant_with_base(sessions, f"acme-{suffix}")
    other_id, other_base = await tenant_with_base(sessions, f"globex-{suffix}")
    yield Workspace(settings, engine, sessions, tenant_id, base, other_id, other_base)
    await engine.dispose()


@pytest.fixture
async def producer(workspace: Workspace) -> AsyncIterator[AIOKafkaProducer]:
    servers = workspace.settings.kafka.bootstrap_servers
    await ensure_topics(workspace.settings.kafka, [t.value for t in Topic if t.value.startswith("documents.")],
                        bootstrap_servers=servers)
    producer = await create_producer(workspace.settings.kafka, servers)
    yield producer
    await producer.stop()
