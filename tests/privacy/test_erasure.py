"""Erasure through the running platform: after ``DELETE /knowledge/{id}?erase=true`` no API, search,
table, object or compacted topic returns the document's content, and the receipt says what went."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from psycopg import sql

from ingest.context import IngestContext
from ingest.retention import RetentionPurger
from jisik.clients.bundle import ServiceClients
from jisik.db.engine import create_engine, session_factory
from jisik.storage import open_store
from tests.gateway.sse_testkit import ask

pytestmark = pytest.mark.integration

API = "/api/v1"
MARKER = "Qorvex7731"
ERASED = (
    f"# 보안 점검 보고서\n\n{MARKER} 장비의 점검 결과, 서버실 온도는 섭씨 19도로 유지되었다. "
    f"{MARKER} 장비는 매주 화요일에 재부팅한다.\n"
)
KEPT = "# 출입 안내\n\n방문객 출입증은 1층 안내 데스크에서 발급한다.\n"
_TEXT_TYPES = ("text", "character varying", "jsonb", "json", "ARRAY")


async def _wait_completed(client: httpx.AsyncClient, ids: list[str], timeout_s: float = 240) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        documents = (await client.get(f"{API}/knowledge/batch", params={"ids": ",".join(ids)})).json()["data"]
        if all(doc["parse_status"] == "completed" for doc in documents):
            return
        assert not any(doc["parse_status"] == "failed" for doc in documents), documents
        assert time.monotonic() < deadline, documents
        await asyncio.sleep(1.0)


def _tables_holding(database_url: str, needle: str) -> list[str]:
    """``table.column`` of every text-like column of every table where ``needle`` appears."""
    found = []
    with psycopg.connect(database_url, autocommit=True) as conn:
        columns = conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type = ANY(%s)",
            (list(_TEXT_TYPES),),
        ).fetchall()
        for table, column in columns:
            query = sql.SQL("SELECT count(*) FROM {} WHERE {}::text LIKE %s").format(
                sql.Identifier(table), sql.Identifier(column)
            )
            row = conn.execute(query, (f"%{needle}%",)).fetchone()
            if row and row[0]:
                found.append(f"{table}.{column}")
    return found


def _objects_holding(root: Path, needle: bytes) -> list[str]:
    return [str(path.relative_to(root)) for path in root.rglob("*") if path.is_file() and needle in path.read_bytes()]


async def _latest_by_key(bootstrap: str, topic: str) -> dict[bytes, bytes | None]:
    """The last value of every key on ``topic`` (what compaction keeps)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or set()]
        if not partitions:
            await consumer.force_metadata_update()
            partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or set()]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        latest: dict[bytes, bytes | None] = {}
        while [p for p in partitions if await consumer.position(p) < ends[p]]:
            batches = await consumer.getmany(timeout_ms=1000)
            for records in batches.values():
                for record in records:
                    if record.key is not None:
                        latest[record.key] = record.value
        return latest
    finally:
        await consumer.stop()


async def _until_tombstoned(bootstrap: str, topic: str, key: bytes, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        latest = await _latest_by_key(bootstrap, topic)
        if key in latest and latest[key] is None:
            return
        assert time.monotonic() < deadline, f"{topic}: no tombstone for {key!r} (last: {latest.get(key)!r:.200})"
        await asyncio.sleep(1.0)


async def test_erased_document_is_gone_from_every_api_table_object_and_compacted_topic(embedded_stack: Any) -> None:
    headers = {"X-API-Key": embedded_stack.api_key}
    settings = embedded_stack.settings
    async with httpx.AsyncClient(base_url=embedded_stack.gateway_url, headers=headers, timeout=120) as client:
        base = (await client.post(f"{API}/knowledge-bases", json={"name": "erasure"})).json()["data"]
        other = (await client.post(f"{API}/knowledge-bases", json={"name": "kept"})).json()["data"]
        ids = []
        for kb, name, text in ((base, "점검.md", ERASED), (other, "안내.md", KEPT)):
            response = await client.post(
                f"{API}/knowledge-bases/{kb['id']}/knowledge/file", files={"file": (name, text.encode())}
            )
            assert response.status_code == 201, response.text
            ids.append(response.json()["data"]["id"])
        await _wait_completed(client, ids)
        erased_id, kept_id = ids
        session = (await client.post(f"{API}/sessions", json={"knowledge_base_id": base["id"]})).json()["data"]
        kept_session = (await client.post(f"{API}/sessions", json={"knowledge_base_id": other["id"]})).json()["data"]
        await ask(client, session["id"], f"{MARKER} 장비는 언제 재부팅하나요?")
        await ask(client, kept_session["id"], "방문객 출입증은 어디에서 발급하나요?")
        before = (await client.get(f"{API}/messages/{session['id']}/load")).json()["data"]
        assert MARKER in json.dumps(before, ensure_ascii=False)
        assert _tables_holding(settings.database.url, MARKER)

        erased = await client.delete(f"{API}/knowledge/{erased_id}", params={"erase": "true"})
        assert erased.status_code == 200, erased.text
        receipt = erased.json()["data"]

        gone = await client.get(f"{API}/knowledge/{erased_id}")
        download = await client.get(f"{API}/knowledge/{erased_id}/download")
        search = await client.post(f"{API}/knowledge-search", json={"query": MARKER, "knowledge_base_id": base["id"]})
        hybrid = await client.get(
            f"{API}/knowledge-bases/{base['id']}/hybrid-search", params={"query_text": MARKER}
        )
        after = (await client.get(f"{API}/messages/{session['id']}/load")).json()["data"]
        kept_turn = (await client.get(f"{API}/messages/{kept_session['id']}/load")).json()["data"]
        kept = await client.get(f"{API}/knowledge/{kept_id}")
        again = await client.delete(f"{API}/knowledge/{erased_id}", params={"erase": "true"})

    assert receipt["knowledge_id"] == erased_id
    removed = receipt["removed"]
    assert removed["documents"] == 1 and removed["chunks"] >= 1 and removed["index_entries"] >= 1
    assert removed["objects"] >= 1 and removed["messages"] == 2  # the citing answer and its question
    assert len(receipt["object_key_sha256"]) == 1 and all(len(d) == 64 for d in receipt["object_key_sha256"])
    assert MARKER not in erased.text and "점검" not in erased.text  # no text, no file name
    assert receipt["tombstones"]["db.knowledges"] == 1 and receipt["tombstones"]["db.messages"] == 2

    assert gone.status_code == 404 and download.status_code == 404 and again.status_code == 404
    for response in (search, hybrid):
        assert response.status_code == 200, response.text
        assert MARKER not in response.text
    assert after == []
    assert [m["role"] for m in kept_turn] == ["user", "assistant"]  # a turn not citing it stays
    assert kept.status_code == 200

    assert _tables_holding(settings.database.url, MARKER) == []
    objects = Path(settings.storage.local_dir)
    assert _objects_holding(objects, MARKER.encode()) == []
    assert _objects_holding(objects, "안내 데스크".encode()), "the kept document's object is still there"

    bootstrap = settings.kafka.bootstrap_servers
    await _until_tombstoned(bootstrap, "db.knowledges", json.dumps({"id": erased_id}, separators=(",", ":")).encode())
    await _until_tombstoned(bootstrap, "index.meta", erased_id.encode())


async def test_retention_purge_erases_what_expired_by_knowledge_base_then_tenant_setting(embedded_stack: Any) -> None:
    settings = embedded_stack.settings
    headers = {"X-API-Key": embedded_stack.api_key}
    async with httpx.AsyncClient(base_url=embedded_stack.gateway_url, headers=headers, timeout=120) as client:
        tenant_id = (await client.get(f"{API}/tenants")).json()["data"][0]["id"]
        short = (await client.post(f"{API}/knowledge-bases", json={"name": "short", "retention_days": 1})).json()["data"]
        default = (await client.post(f"{API}/knowledge-bases", json={"name": "tenant default"})).json()["data"]
        ids = []
        for base, text in ((short, f"{MARKER} 단기 보관 문서"), (default, "장기 보관 문서의 내용")):
            response = await client.post(
                f"{API}/knowledge-bases/{base['id']}/knowledge/file", files={"file": ("보관.md", text.encode())}
            )
            ids.append(response.json()["data"]["id"])
        await _wait_completed(client, ids)
        updated = await client.put(f"{API}/tenants/{tenant_id}", json={"retention_days": 30})
        assert updated.status_code == 200 and updated.json()["data"]["retention_days"] == 30
        wrong = await client.put(f"{API}/knowledge-bases/{short['id']}", json={"retention_days": 0})
        assert wrong.status_code == 422

        engine = create_engine(settings.database.url, pool_size=2)
        clients = ServiceClients.open(settings, timeout_s=30)
        purger = RetentionPurger(IngestContext(settings, session_factory(engine), clients), open_store(settings.storage))
        try:
            now = datetime.now(UTC)
            nothing_yet = await purger.purge_once(now)
            after_two_days = await purger.purge_once(now + timedelta(days=2))
            after_a_year = await purger.purge_once(now + timedelta(days=365))
        finally:
            await clients.close()
            await engine.dispose()
        await client.put(f"{API}/tenants/{tenant_id}", json={"retention_days": None})
        short_doc = await client.get(f"{API}/knowledge/{ids[0]}")

    assert [r.knowledge_id for r in nothing_yet if r.knowledge_id in ids] == []
    assert [r.knowledge_id for r in after_two_days if r.knowledge_id in ids] == [ids[0]]
    assert [r.knowledge_id for r in after_a_year if r.knowledge_id in ids] == [ids[1]]
    assert after_two_days[0].removed["index_entries"] >= 1 and after_two_days[0].removed["objects"] == 1
    assert short_doc.status_code == 404
