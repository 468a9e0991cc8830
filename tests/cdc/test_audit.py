"""The audit trail: API writes carry their actor and request id, other writes are the system's,
secrets and document text never reach it, and a tenant sees only its own events."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from cdc_helpers import RelayRunner, seed
from sqlalchemy import text, update
from sqlmodel import col, select

from cdc.audit import AuditProcessor, audit_entry
from cdc.audit_diff import DOCUMENT_TEXT, SECRET, diff
from cdc.change_event import ChangeEvent
from cdc.changes import RowChange
from cdc.processor import run_processor
from cdc.publisher import OrderedPublisher
from cdc.records import debezium_record
from jisik.actors import Actor, acting_as
from jisik.db import audit_context
from jisik.db.engine import create_engine, session_factory, transaction
from jisik.db.models import KnowledgeBase
from jisik.runtime.tansu import EmbeddedTansu
from jisik.settings import CdcSettings, KafkaSettings
from tests.gateway.gateway_testkit import RunningGateway, gateway_settings, running_gateway

pytestmark = [pytest.mark.integration]


def _event(table: str, op: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> ChangeEvent:
    return ChangeEvent.model_validate(
        {"op": op, "before": before, "after": after, "source": {"table": table, "ts_ms": 1_700_000_000_000,
                                                                  "txId": 42, "lsn": 7}})


class TestDiff:
    def test_secrets_are_masked_and_document_text_never_stored(self) -> None:
        before = {"id": "t1", "api_key_hash": "a" * 64, "name": "acme", "updated_at": "x"}
        after = {"id": "t1", "api_key_hash": "b" * 64, "name": "acme", "updated_at": "y"}
        assert diff("tenants", before, after) == {"api_key_hash": {"before": SECRET, "after": SECRET}}
        fields = diff("document_fields", None, {"validated_data": {"total": "1,357,000"}, "status": "valid"})
        assert fields["validated_data"] == {"after": DOCUMENT_TEXT}
        assert fields["status"] == {"after": "valid"}
        webhook = diff("webhooks", None, {"secret": "whsec_abc", "url": "https://example.com/h"})
        assert webhook["secret"] == {"after": SECRET}

    def test_personal_data_in_values_is_scrubbed(self) -> None:
        changes = diff("knowledge_bases", {"name": "handbook"}, {"name": "010-1234-5678 연락처"})
        assert "010-1234-5678" not in json.dumps(changes, ensure_ascii=False)
        assert changes["name"]["before"] == "handbook"

    def test_snapshot_reads_and_bookkeeping_only_updates_are_not_actions(self) -> None:
        row = {"id": "kb1", "tenant_id": "t1", "name": "a", "updated_at": "1"}
        assert audit_entry(_event("knowledge_bases", "r", None, row), None) is None
        assert audit_entry(_event("knowledge_bases", "u", row, {**row, "updated_at": "2"}), None) is None
        entry = audit_entry(_event("knowledges", "d", {**row, "knowledge_base_id": "kb1"}, None), b'{"id":"k9"}')
        assert entry is not None
        assert (entry.entity_type, entry.entity_id, entry.action, entry.tenant_id, entry.tx_id) == (
            "document", "k9", "deleted", "t1", 42)


@pytest.fixture
async def audited_gateway(
    fresh_database: str, kafka: EmbeddedTansu, tmp_path: Path
) -> AsyncIterator[RunningGateway]:
    settings = gateway_settings(fresh_database, tmp_path, kafka_servers=kafka.bootstrap_servers)
    async with running_gateway(settings) as running:
        yield running


async def _run(processor: AuditProcessor, kafka_settings: KafkaSettings, bootstrap: str) -> tuple[
        asyncio.Event, asyncio.Task[None]]:
    stop = asyncio.Event()
    task = asyncio.create_task(run_processor(processor, kafka_settings, stop, bootstrap_servers=bootstrap,
                                             poll_ms=100))
    return stop, task


async def _audit(client: httpx.AsyncClient, **params: str) -> dict[str, Any]:
    response = await client.get("/api/v1/audit", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _wait_for(client: httpx.AsyncClient, count: int, **params: str) -> list[dict[str, Any]]:
    for _ in range(300):
        body = await _audit(client, **params)
        if body["total"] >= count:
            return list(body["data"])
        await asyncio.sleep(0.1)
    pytest.fail(f"audit events for {params} never reached {count}: {body}")


async def test_api_and_system_writes_are_audited_with_their_actor(
    audited_gateway: RunningGateway, relay_runner: RelayRunner, cdc_settings: CdcSettings,
    kafka_settings: KafkaSettings, kafka: EmbeddedTansu, fresh_database: str, db: psycopg.AsyncConnection[Any],
) -> None:
    gateway = audited_gateway
    await relay_runner.start()
    # Another database's change on the same topic (a shared broker): never this database's audit.
    foreign = RowChange("public", "knowledge_bases", "c", None, {"id": "foreign-kb", "tenant_id": gateway.acme.id,
                                                                 "name": "elsewhere"}, 1)
    publisher = OrderedPublisher(kafka_settings, kafka.bootstrap_servers)
    await publisher.start()
    try:
        await publisher.send([debezium_record(foreign, database="another_database", primary_key=("id",), xid=1,
                                              commit_time=datetime.now(UTC))])
    finally:
        await publisher.stop()
    processor = AuditProcessor(cdc_settings, fresh_database)
    stop, task = await _run(processor, kafka_settings, kafka.bootstrap_servers)
    request_id = f"req-{uuid.uuid4().hex[:12]}"
    try:
        async with gateway.client(gateway.acme) as acme, gateway.client(gateway.globex) as globex:
            created = await acme.post("/api/v1/knowledge-bases", json={"name": "계약서"},
                                      headers={"X-Request-ID": request_id})
            assert created.status_code == 201, created.text
            base_id = created.json()["data"]["id"]
            renamed = await acme.put(f"/api/v1/knowledge-bases/{base_id}",
                                     json={"name": "계약서 2026", "description": "담당 010-2345-6789"})
            assert renamed.status_code == 200, renamed.text
            rotated = await acme.post(f"/api/v1/tenants/{gateway.acme.id}/api-key/rotate")
            assert rotated.status_code == 200, rotated.text
            acme.headers["X-API-Key"] = rotated.json()["data"]["api_key"]
            draft = await acme.post(f"/api/v1/knowledge-bases/{base_id}/knowledge/manual",
                                    json={"title": "메모", "content": "# 메모\n\n본문 01012345678", "status": "draft"})
            assert draft.status_code == 201, draft.text
            document_id = draft.json()["data"]["id"]
            other = await globex.post("/api/v1/knowledge-bases", json={"name": "globex only"})
            other_id = other.json()["data"]["id"]
            # A write made outside the API: nobody is acting, the system is.
            await db.execute("UPDATE knowledge_bases SET name = 'renamed by sql' WHERE id = %s", (base_id,))

            events = await _wait_for(acme, 3, entity_type="knowledge_base", entity_id=base_id)
            by_name = {event["changes"].get("name", {}).get("after"): event for event in events}
            first = by_name["계약서"]
            prefix = f"key:{gateway.acme.api_key[:len(first['actor']) - 4]}"
            assert first["action"] == "created" and first["request_id"] == request_id
            assert first["actor"] == prefix and first["actor"].startswith("key:sk-")
            update = by_name["계약서 2026"]
            assert update["action"] == "updated" and update["actor"] == first["actor"]
            assert update["changes"]["name"] == {"before": "계약서", "after": "계약서 2026"}
            assert "010-2345-6789" not in json.dumps(update, ensure_ascii=False)
            assert update["request_id"] and update["request_id"] != request_id
            system = by_name["renamed by sql"]
            assert (system["actor"], system["request_id"]) == ("system", "")

            # People and keys: who made a service account and gave it a key; the key never shows.
            account = await acme.post("/api/v1/users/service-accounts", json={"name": "ci-bot", "role": "editor"})
            assert account.status_code == 201, account.text
            account_id = account.json()["data"]["id"]
            issued = await acme.post("/api/v1/api-keys", json={"name": "ci", "scopes": ["read"], "user_id": account_id})
            assert issued.status_code == 201, issued.text
            made_user = (await _wait_for(acme, 1, entity_type="user", entity_id=account_id))[0]
            rotated_actor = f"key:{acme.headers['X-API-Key'][:len(first['actor']) - 4]}"  # the key in use now
            assert made_user["action"] == "created" and made_user["actor"] == rotated_actor
            made_key = (await _wait_for(acme, 1, entity_type="api_key", entity_id=issued.json()["data"]["id"]))[0]
            assert "key_hash" not in made_key["changes"]
            assert issued.json()["data"]["key"] not in json.dumps(made_key)
            # The base's timeline holds its documents too; the document's own holds no base change.
            in_base = await _wait_for(acme, 4, knowledge_base_id=base_id)
            assert {(event["entity_type"], event["action"]) for event in in_base} >= {
                ("knowledge_base", "created"), ("knowledge_base", "updated"), ("document", "created")}
            [created_doc] = await _wait_for(acme, 1, document_id=document_id)
            assert (created_doc["entity_id"], created_doc["knowledge_base_id"]) == (document_id, base_id)
            assert "01012345678" not in json.dumps(created_doc) and "본문" not in json.dumps(created_doc)
            key_change = (await _wait_for(acme, 1, entity_type="tenant", entity_id=gateway.acme.id))[0]
            # The key's hash never leaves the database (an excluded column); its prefix says it changed.
            assert set(key_change["changes"]) == {"api_key_prefix"}
            assert acme.headers["X-API-Key"] not in json.dumps(key_change)
            assert (await _audit(acme, actor="system"))["total"] >= 1

            # Tenants never see each other's events, even by id.
            await _wait_for(globex, 1, entity_id=other_id)
            assert (await _audit(acme, entity_id=other_id))["total"] == 0
            assert all(event["entity_id"] != base_id for event in (await _audit(globex))["data"])
            since = (await _audit(acme, since="2999-01-01T00:00:00Z"))
            assert since["total"] == 0
        await _settled(processor)
    finally:
        stop.set()
        await task
        relay_runner.check()

    # Delivered again from the start (other tests' databases share these topics), nothing is stored twice
    # and nothing of another database is stored at all.
    stored = await _count(db)
    again = AuditProcessor(cdc_settings.model_copy(update={"audit_group": f"{cdc_settings.audit_group}.replay"}),
                           fresh_database)
    stop, task = await _run(again, kafka_settings, kafka.bootstrap_servers)
    try:
        for _ in range(100):
            if again.stored >= stored:
                break
            await asyncio.sleep(0.1)
    finally:
        stop.set()
        await task
    assert again.stored >= stored
    assert await _count(db) == stored
    row = await (await db.execute("SELECT count(*) FROM audit_events WHERE entity_id = 'foreign-kb'")).fetchone()
    assert row == (0,)
    with contextlib.suppress(Exception):
        await relay_runner.kill()


async def _settled(processor: AuditProcessor) -> None:
    """Returns once the processor has stored nothing new for a second."""
    last, quiet = processor.stored, 0
    for _ in range(300):
        await asyncio.sleep(0.1)
        quiet = quiet + 1 if processor.stored == last else 0
        last = processor.stored
        if quiet >= 10:
            return


async def _count(db: psycopg.AsyncConnection[Any]) -> int:
    row = await (await db.execute("SELECT count(*) FROM audit_events")).fetchone()
    assert row is not None
    return int(row[0])




async def test_each_writing_transaction_gets_one_context_row_and_only_with_an_actor(
    fresh_database: str, db: psycopg.AsyncConnection[Any],
) -> None:
    audit_context.install()
    tenant_id, base_id = await seed(fresh_database)  # no actor: no context row
    engine = create_engine(fresh_database, pool_size=1)
    actor = Actor(kind="key", id="sk-abc", tenant_id=tenant_id)
    try:
        with acting_as(actor):
            xids = []
            async with transaction(session_factory(engine)) as session:  # a bulk ORM statement only
                await session.execute(update(KnowledgeBase).where(col(KnowledgeBase.id) == base_id)
                                      .values(name="bulk"))
                xids.append((await session.execute(text("SELECT pg_current_xact_id()::text::bigint"))).scalar_one())
            async with transaction(session_factory(engine)) as session:  # two flushes, one transaction
                session.add(KnowledgeBase(tenant_id=tenant_id, name="second"))
                await session.flush()
                session.add(KnowledgeBase(tenant_id=tenant_id, name="third"))
                await session.flush()
                xids.append((await session.execute(text("SELECT pg_current_xact_id()::text::bigint"))).scalar_one())
            async with transaction(session_factory(engine)) as session:
                await session.execute(select(KnowledgeBase))  # reads write nothing
    finally:
        await engine.dispose()
    rows = await (await db.execute("SELECT xid, xid32, actor, request_id FROM audit_context ORDER BY xid")).fetchall()
    assert rows == [(xid, xid % 2**32, "key:sk-abc", "") for xid in xids]
