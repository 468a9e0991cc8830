"""The embedded PostgreSQL and Tansu fixtures are real and usable."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from jisik.runtime.postgres import EmbeddedPostgres
from jisik.runtime.tansu import EmbeddedTansu

pytestmark = pytest.mark.integration


class TestEmbeddedPostgres:
    def test_pgvector_and_logical_wal(self, postgres: EmbeddedPostgres, fresh_database: str) -> None:
        with psycopg.connect(fresh_database) as conn:
            assert conn.execute("SHOW wal_level").fetchone() == ("logical",)
            version = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone()
            assert version is not None and tuple(int(p) for p in version[0].split(".")[:2]) >= (0, 8)
            distance = conn.execute("SELECT '[1,0]'::vector <=> '[0,1]'::vector").fetchone()
            assert distance == (1.0,)

    def test_migrations_create_core_tables(self, fresh_database: str) -> None:
        with psycopg.connect(fresh_database) as conn:
            rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
        assert {"tenants", "knowledge_bases", "knowledges", "chunks", "sessions", "messages", "models", "outbox"} <= {
            name for (name,) in rows
        }


class TestEmbeddedTansu:
    async def test_produce_and_consume(self, kafka: EmbeddedTansu) -> None:
        topic = f"t-{uuid.uuid4().hex[:8]}"
        producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers)
        await producer.start()
        try:
            await producer.send_and_wait(topic, b"hello", key=b"k1", headers=[("traceparent", b"00-x")])
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer(
            topic, bootstrap_servers=kafka.bootstrap_servers, auto_offset_reset="earliest", group_id=None
        )
        await consumer.start()
        try:
            record = await consumer.getone()
        finally:
            await consumer.stop()
        assert (record.key, record.value) == (b"k1", b"hello")
        assert dict(record.headers)["traceparent"] == b"00-x"


class TestKafkaHelpers:
    async def test_publish_carries_trace_context(self, kafka: EmbeddedTansu) -> None:
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider

        from jisik.kafka import (
            create_consumer,
            create_producer,
            decode_value,
            ensure_topics,
            publish,
            record_context,
        )
        from jisik.settings import KafkaSettings

        settings = KafkaSettings()
        topic = f"t-{uuid.uuid4().hex[:8]}"
        await ensure_topics(settings, [topic], bootstrap_servers=kafka.bootstrap_servers)
        tracer = TracerProvider().get_tracer("test")
        producer = await create_producer(settings, kafka.bootstrap_servers)
        try:
            with tracer.start_as_current_span("produce") as span:
                await publish(producer, topic, key="doc-1", value={"tenant_id": "t1"})
                sent_trace = span.get_span_context().trace_id
        finally:
            await producer.stop()
        consumer = create_consumer(settings, [topic], group_id=f"g-{topic}", bootstrap_servers=kafka.bootstrap_servers)
        await consumer.start()
        try:
            record = await consumer.getone()
        finally:
            await consumer.stop()
        assert decode_value(record) == {"tenant_id": "t1"}
        received = trace.get_current_span(record_context(record)).get_span_context()
        assert received.trace_id == sent_trace
