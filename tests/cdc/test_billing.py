"""billing.usage windows: pure window logic, then the processor over the real relay and broker."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiokafka import TopicPartition
from cdc_helpers import RelayRunner, read_topic, seed, value

from cdc.billing import BillingProcessor, UsageWindows, usage_of
from cdc.change_event import ChangeEvent
from cdc.processor import run_processor
from jisik.db.engine import create_engine, session_factory, transaction
from jisik.db.models import ChatSession, Knowledge, Message
from jisik.events import Topic
from jisik.runtime.tansu import EmbeddedTansu
from jisik.settings import CdcSettings, KafkaSettings

P = TopicPartition("db.knowledges", 0)
M = TopicPartition("db.messages", 0)


def change(op: str, *, table: str = "knowledges", ts: int, lsn: int, before: dict[str, Any] | None = None,
           after: dict[str, Any] | None = None) -> ChangeEvent:
    return ChangeEvent.model_validate({
        "op": op, "before": before, "after": after, "ts_ms": ts,
        "source": {"db": "d", "schema": "public", "table": table, "lsn": lsn, "ts_ms": ts},
    })


def doc(status: str = "PENDING", *, size: int = 100, chunks: int = 0, version: int = 1, tenant: str = "t1") -> dict[str, Any]:
    return {"id": "k1", "tenant_id": tenant, "parse_status": status, "file_size": size, "chunk_count": chunks,
            "version": version}


class TestUsageOf:
    def test_contributions(self) -> None:
        assert usage_of(change("c", ts=1, lsn=1, after=doc())).documents_uploaded == 1
        assert usage_of(change("c", ts=1, lsn=1, after=doc())).bytes_stored == 100
        indexed = change("u", ts=1, lsn=2, before=doc("INDEXING"), after=doc("COMPLETED", chunks=7))
        assert usage_of(indexed).chunks_indexed == 7
        again = change("u", ts=1, lsn=3, before=doc("COMPLETED", chunks=7), after=doc("COMPLETED", chunks=7))
        assert not usage_of(again)
        republished = change("u", ts=1, lsn=4, before=doc("COMPLETED", chunks=7),
                             after=doc("COMPLETED", chunks=3, version=2))
        assert usage_of(republished).chunks_indexed == 3
        assert usage_of(change("d", ts=1, lsn=5, before=doc(size=40))).bytes_stored == -40
        assert usage_of(change("c", table="messages", ts=1, lsn=6, after={"tenant_id": "t1"})).chat_messages == 1
        assert not usage_of(change("r", ts=1, lsn=0, after=doc()))


class TestUsageWindows:
    def test_windows_close_dedupe_and_reemit_late_changes(self) -> None:
        windows = UsageWindows(window_s=60, grace_s=5, retention_windows=2)
        first = change("c", ts=1_000, lsn=10, after=doc())
        assert windows.add(first, P, 0)
        assert not windows.add(first, P, 1), "a redelivered change counts once"
        windows.add(change("c", table="messages", ts=2_000, lsn=11, after={"id": "m", "tenant_id": "t1"}), M, 0)
        windows.add(change("c", ts=3_000, lsn=12, after={**doc(tenant="t2"), "id": "k2"}), P, 2)
        assert windows.due(0, idle=False) == []          # the watermark has not passed the window yet
        windows.add(change("c", ts=66_000, lsn=20, after={**doc(), "id": "k3"}), P, 3)
        [t1, t2] = windows.due(0, idle=False)
        assert (t1.tenant_id, t1.documents_uploaded, t1.chat_messages, t1.bytes_stored) == ("t1", 1, 1, 100)
        assert t1.window_id == "t1/0" and t1.window_end_ms == 60_000 and t2.tenant_id == "t2"
        assert windows.due(0, idle=False) == [], "unchanged windows are not emitted again"
        late = change("u", ts=59_000, lsn=13, before=doc("INDEXING"), after=doc("COMPLETED", chunks=5))
        assert windows.add(late, P, 4)
        [corrected] = windows.due(0, idle=False)
        assert (corrected.window_id, corrected.documents_uploaded, corrected.chunks_indexed) == ("t1/0", 1, 5)
        # Commit no further than the oldest kept window's first offset on each partition.
        assert windows.safe_offsets({P: 5, M: 1}) == {P: 0, M: 0}

    def test_idle_input_closes_by_wall_clock_and_old_windows_expire(self) -> None:
        windows = UsageWindows(window_s=10, grace_s=1, retention_windows=1)
        windows.add(change("c", ts=5_000, lsn=1, after=doc()), P, 7)
        assert windows.due(5_000, idle=True) == []
        assert [w.window_id for w in windows.due(11_000, idle=True)] == ["t1/0"]
        windows.add(change("c", ts=40_000, lsn=2, after={**doc(), "id": "k9"}), P, 8)
        windows.due(40_000, idle=False)
        assert windows.safe_offsets({P: 9}) == {P: 8}, "the expired window no longer holds the commit back"
        assert not windows.add(change("c", ts=6_000, lsn=3, after={**doc(), "id": "k5"}), P, 9)
        assert windows.dropped_late == 1


@pytest.mark.integration
class TestBillingProcessor:
    async def test_usage_from_real_change_events(
        self, fresh_database: str, relay_runner: RelayRunner, kafka: EmbeddedTansu, cdc_settings: CdcSettings,
        kafka_settings: KafkaSettings,
    ) -> None:
        tenant_id, base_id = await seed(fresh_database)
        await relay_runner.start()
        stop = asyncio.Event()
        processor = BillingProcessor(cdc_settings, kafka_settings, kafka.bootstrap_servers)
        task = asyncio.create_task(run_processor(processor, kafka_settings, stop,
                                                 bootstrap_servers=kafka.bootstrap_servers, poll_ms=200))
        engine = create_engine(fresh_database, pool_size=1)
        try:
            async with transaction(session_factory(engine)) as session:
                session.add_all([Knowledge(tenant_id=tenant_id, knowledge_base_id=base_id, file_size=300),
                                 Knowledge(tenant_id=tenant_id, knowledge_base_id=base_id, file_size=200)])
                chat = ChatSession(tenant_id=tenant_id)
                session.add(chat)
                await session.flush()
                session.add_all([Message(tenant_id=tenant_id, session_id=chat.id, role=role)
                                 for role in ("user", "assistant", "user")])
        finally:
            await engine.dispose()

        def totals(found: list[Any]) -> tuple[int, int, int]:
            latest: dict[str, dict[str, Any]] = {}
            for record in found:
                latest[value(record)["window_id"]] = value(record)
            return (sum(w["documents_uploaded"] for w in latest.values()),
                    sum(w["bytes_stored"] for w in latest.values()),
                    sum(w["chat_messages"] for w in latest.values()))

        try:
            records = await read_topic(kafka.bootstrap_servers, Topic.BILLING_USAGE.value,
                                       keep=lambda r: r.key == tenant_id.encode(),
                                       until=lambda found: totals(found) == (2, 500, 3), check=relay_runner.check)
        finally:
            stop.set()
            await task
        assert totals(records) == (2, 500, 3)
        assert all(value(r)["tenant_id"] == tenant_id and value(r)["window_end_ms"] -
                   value(r)["window_start_ms"] == 2000 for r in records)
