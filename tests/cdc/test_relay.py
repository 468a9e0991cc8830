"""The outbox relay against the real embedded PostgreSQL (pgoutput slot) and the Tansu broker."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import psycopg
import pytest
from cdc_helpers import INSERT_OUTBOX, RelayRunner, outbox_row, read_topic
from prometheus_client import REGISTRY

from jisik.db.engine import create_engine, session_factory, transaction
from jisik.db.outbox import add_event
from jisik.events import DocumentUploaded, Topic
from jisik.runtime.tansu import EmbeddedTansu
from jisik.settings import TelemetrySettings
from jisik.telemetry import configure_tracing, tracer

pytestmark = pytest.mark.integration

async def _outbox_count(db: psycopg.AsyncConnection[Any]) -> int:
    cursor = await db.execute("SELECT count(*) FROM outbox")
    row = await cursor.fetchone()
    return int(row[0]) if row else -1


class TestOutboxRelay:
    async def test_committed_rows_in_commit_order_and_rollbacks_never(
        self, fresh_database: str, relay_runner: RelayRunner, kafka: EmbeddedTansu,
        db: psycopg.AsyncConnection[Any],
    ) -> None:
        topic = f"test.cdc.{uuid.uuid4().hex[:8]}"
        published_before = REGISTRY.get_sample_value("jisik_cdc_records_published_total") or 0
        delays_before = REGISTRY.get_sample_value("jisik_cdc_commit_to_publish_seconds_count") or 0
        await relay_runner.start()
        first = outbox_row(topic, "doc-a", 1)
        second = outbox_row(topic, "doc-b", 2)
        third = outbox_row(topic, "doc-a", 3)
        doomed = outbox_row(topic, "doc-x", 99)
        async with await psycopg.AsyncConnection.connect(db.info.dsn) as a, \
                await psycopg.AsyncConnection.connect(db.info.dsn) as b, \
                await psycopg.AsyncConnection.connect(db.info.dsn) as c:
            await a.execute(INSERT_OUTBOX, first)      # A starts first ...
            await b.execute(INSERT_OUTBOX, second)
            await c.execute(INSERT_OUTBOX, doomed)
            await b.commit()                           # ... but B commits first
            await a.execute(INSERT_OUTBOX, third)
            await a.commit()
            await c.rollback()
        records = await read_topic(kafka.bootstrap_servers, topic, until=lambda found: len(found) >= 3,
                                   check=relay_runner.check)
        await asyncio.sleep(0.5)  # a rolled-back row would have arrived with the others
        records = await read_topic(kafka.bootstrap_servers, topic, until=lambda found: len(found) >= 4,
                                   timeout_s=1.5)
        assert [json.loads(r.value or b"")["n"] for r in records] == [2, 1, 3]
        assert [r.key for r in records] == [b"doc-b", b"doc-a", b"doc-a"]
        headers = [dict(r.headers) for r in records]
        assert [h["traceparent"].decode() for h in headers] == [
            json.loads(row[4])["traceparent"] for row in (second, first, third)
        ]
        assert [h["jisik-outbox-id"].decode() for h in headers] == [second[0], first[0], third[0]]
        for _ in range(50):
            if await _outbox_count(db) == 0:
                break
            await asyncio.sleep(0.1)
        assert await _outbox_count(db) == 0, "published rows are deleted from the outbox"
        assert (REGISTRY.get_sample_value("jisik_cdc_records_published_total") or 0) - published_before >= 3
        # Two committed transactions (the rolled-back one never arrives), each timed from its commit.
        assert (REGISTRY.get_sample_value("jisik_cdc_commit_to_publish_seconds_count") or 0) - delays_before >= 2
        assert (REGISTRY.get_sample_value("jisik_cdc_slot_lag_bytes") or 0) >= 0

    async def test_restart_mid_stream_loses_nothing(
        self, fresh_database: str, relay_runner: RelayRunner, kafka: EmbeddedTansu,
        db: psycopg.AsyncConnection[Any],
    ) -> None:
        topic = f"test.cdc.{uuid.uuid4().hex[:8]}"
        rows = [outbox_row(topic, f"doc-{n % 7}", n) for n in range(120)]
        await relay_runner.start()

        async def write() -> None:
            for index, row in enumerate(rows):
                await db.execute(INSERT_OUTBOX, row)
                if index % 10 == 0:
                    await asyncio.sleep(0.01)

        writer = asyncio.create_task(write())
        await asyncio.sleep(0.3)
        await relay_runner.kill()          # killed while rows keep committing
        await asyncio.sleep(0.2)
        await relay_runner.start()               # resumes from the slot
        await writer
        records = await read_topic(
            kafka.bootstrap_servers, topic, check=relay_runner.check,
            until=lambda found: {dict(r.headers)["jisik-outbox-id"] for r in found} >= {r[0].encode() for r in rows},
        )
        ids = [dict(r.headers)["jisik-outbox-id"].decode() for r in records]
        assert set(ids) == {row[0] for row in rows}
        # Per key the order is the commit order, duplicates aside.
        for doc in {row[1] for row in rows}:
            seen = [json.loads(r.value or b"")["n"] for r in records if r.key == doc.encode()]
            firsts = list(dict.fromkeys(seen))
            assert firsts == sorted(firsts)

    async def test_rows_written_before_the_slot_are_published(
        self, fresh_database: str, relay_runner: RelayRunner, kafka: EmbeddedTansu,
        db: psycopg.AsyncConnection[Any],
    ) -> None:
        topic = f"test.cdc.{uuid.uuid4().hex[:8]}"
        early = outbox_row(topic, "doc-early", 1)
        await db.execute(INSERT_OUTBOX, early)
        await relay_runner.start(wait=False)
        records = await read_topic(kafka.bootstrap_servers, topic, until=lambda found: len(found) >= 1,
                                   check=relay_runner.check)
        assert dict(records[0].headers)["jisik-outbox-id"].decode() == early[0]

    async def test_document_events_from_the_shared_outbox_writer(
        self, fresh_database: str, relay_runner: RelayRunner, kafka: EmbeddedTansu,
    ) -> None:
        configure_tracing("cdc-tests", TelemetrySettings())

        engine = create_engine(fresh_database, pool_size=1)
        await relay_runner.start()
        knowledge_id = str(uuid.uuid4())
        try:
            with tracer(__name__).start_as_current_span("upload") as span:
                trace_id = f"{span.get_span_context().trace_id:032x}"
                async with transaction(session_factory(engine)) as session:
                    add_event(session, DocumentUploaded(tenant_id="t1", knowledge_base_id="kb1",
                                                        knowledge_id=knowledge_id, storage_key="k"))
        finally:
            await engine.dispose()
        records = await read_topic(kafka.bootstrap_servers, Topic.DOCUMENTS_UPLOADED.value,
                                   keep=lambda r: r.key == knowledge_id.encode(),
                                   until=lambda found: len(found) >= 1, check=relay_runner.check)
        event = DocumentUploaded.model_validate_json(records[0].value or b"")
        assert event.knowledge_id == knowledge_id and event.tenant_id == "t1"
        assert dict(records[0].headers)["traceparent"].decode().split("-")[1] == trace_id
