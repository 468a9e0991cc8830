"""Fixtures for the CDC suite: per-test slot/publication names, a relay task, a topic reader."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import psycopg
import pytest
from cdc_helpers import RelayRunner

from cdc.relay import Relay
from cdc.slot import ReplicationSlot, plain_url
from jisik.runtime.tansu import EmbeddedTansu
from jisik.settings import CdcSettings, KafkaSettings, Settings
from retriever.server import create_server


@pytest.fixture
def cdc_settings() -> CdcSettings:
    name = f"cdc_{uuid.uuid4().hex[:10]}"
    return CdcSettings(
        slot_name=name, publication_name=name, poll_interval_s=0.05,
        index_meta_group=f"{name}.index-meta", retriever_access_group=f"{name}.access", billing_group=f"{name}.billing",
    )


@pytest.fixture
def kafka_settings() -> KafkaSettings:
    return KafkaSettings(session_timeout_ms=6000)


@pytest.fixture
async def slot_cleanup(fresh_database: str, cdc_settings: CdcSettings) -> AsyncIterator[None]:
    """Drops the test's slot and publication whatever happens, so the shared server keeps no WAL."""
    yield
    async with ReplicationSlot(fresh_database, slot=cdc_settings.slot_name,
                               publication=cdc_settings.publication_name) as slot:
        for _ in range(50):
            # A killed relay's server backend may still hold the slot for a moment.
            await slot.conn.execute(
                "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots "
                "WHERE slot_name = %s AND active_pid IS NOT NULL", (cdc_settings.slot_name,))
            try:
                await slot.drop()
                return
            except psycopg.errors.ObjectInUse:
                await asyncio.sleep(0.1)
        pytest.fail(f"replication slot {cdc_settings.slot_name} could not be dropped")


@pytest.fixture
async def relay_runner(
    fresh_database: str, cdc_settings: CdcSettings, kafka_settings: KafkaSettings, kafka: EmbeddedTansu,
    slot_cleanup: None,
) -> AsyncIterator[RelayRunner]:
    runner = RelayRunner(lambda: Relay(cdc_settings, kafka_settings, fresh_database,
                                       bootstrap_servers=kafka.bootstrap_servers))
    yield runner
    await runner.kill()


@pytest.fixture
async def db(fresh_database: str) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    conn = await psycopg.AsyncConnection.connect(plain_url(fresh_database), autocommit=True)
    yield conn
    await conn.close()


@pytest.fixture
async def retriever_addr(fresh_database: str) -> AsyncIterator[str]:
    """A real retriever gRPC server on the test's database."""
    server, port, _, service = await create_server(Settings.load(), 0, fresh_database)
    await server.start()
    yield f"127.0.0.1:{port}"
    await server.stop(0)
    await service.close()
