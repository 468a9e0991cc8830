"""Debezium-format change events on db.<table> from the real replication slot."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cdc_helpers import RelayRunner, read_topic, seed, value
from sqlmodel import select

from jisik.db.engine import create_engine, session_factory, transaction
from jisik.db.models import Knowledge, ParseStatus
from jisik.runtime.tansu import EmbeddedTansu

pytestmark = pytest.mark.integration


def _database(url: str) -> str:
    return url.rsplit("/", 1)[1]


def _of_db(name: str) -> Any:
    return lambda record: record.value is not None and value(record)["source"]["db"] == name


def _tombstone_of(key: bytes) -> Any:
    return lambda record: record.value is None and record.key == key


class TestChangeEvents:
    async def test_insert_update_delete_envelopes(
        self, fresh_database: str, relay_runner: RelayRunner, kafka: EmbeddedTansu
    ) -> None:
        tenant_id, base_id = await seed(fresh_database)
        await relay_runner.start()
        engine = create_engine(fresh_database, pool_size=1)
        factory = session_factory(engine)
        try:
            async with transaction(factory) as session:
                doc = Knowledge(tenant_id=tenant_id, knowledge_base_id=base_id, file_name="a.pdf", file_size=10)
                session.add(doc)
            async with transaction(factory) as session:
                row = (await session.execute(select(Knowledge).where(Knowledge.id == doc.id))).scalar_one()
                row.acl_principals = ["group:hr", 'user:"q, r"']
                row.parse_status = ParseStatus.COMPLETED
                row.chunk_count = 4
            async with transaction(factory) as session:
                row = (await session.execute(select(Knowledge).where(Knowledge.id == doc.id))).scalar_one()
                await session.delete(row)
        finally:
            await engine.dispose()
        records = await read_topic(kafka.bootstrap_servers, "db.knowledges", keep=_of_db(_database(fresh_database)),
                                   until=lambda found: len(found) >= 3, check=relay_runner.check)
        created, updated, deleted = (value(r) for r in records)
        assert [created["op"], updated["op"], deleted["op"]] == ["c", "u", "d"]
        assert created["before"] is None and created["after"]["id"] == doc.id
        assert created["after"]["file_size"] == 10 and created["after"]["acl_principals"] == []
        assert created["after"]["parse_status"] == "PENDING"
        assert updated["before"]["parse_status"] == "PENDING"  # REPLICA IDENTITY FULL: the whole old row
        assert updated["after"]["parse_status"] == "COMPLETED" and updated["after"]["chunk_count"] == 4
        assert updated["after"]["acl_principals"] == ["group:hr", 'user:"q, r"']
        assert isinstance(updated["after"]["metadata"], dict)
        assert deleted["after"] is None and deleted["before"]["id"] == doc.id
        source = updated["source"]
        assert source["connector"] == "jisik" and source["table"] == "knowledges" and source["schema"] == "public"
        assert source["snapshot"] == "false" and isinstance(source["txId"], int) and source["lsn"] > 0
        assert created["source"]["lsn"] < updated["source"]["lsn"] < deleted["source"]["lsn"]
        assert {"before", "after", "source", "op", "ts_ms"} <= set(updated)
        assert [json.loads(r.key or b"") for r in records] == [{"id": doc.id}] * 3
        # A tombstone with the same key follows the delete, so a compacted topic forgets the row.
        tombstones = await read_topic(kafka.bootstrap_servers, "db.knowledges", keep=_tombstone_of(records[2].key),
                                      until=lambda found: len(found) >= 1, check=relay_runner.check)
        assert len(tombstones) == 1 and tombstones[0].offset == records[2].offset + 1

    async def test_snapshot_rows_and_secret_columns(
        self, fresh_database: str, relay_runner: RelayRunner, kafka: EmbeddedTansu
    ) -> None:
        tenant_id, _ = await seed(fresh_database)
        await relay_runner.start()
        records = await read_topic(kafka.bootstrap_servers, "db.tenants", keep=_of_db(_database(fresh_database)),
                                   until=lambda found: len(found) >= 1, check=relay_runner.check)
        event = value(records[0])
        assert event["op"] == "r" and event["source"]["snapshot"] == "true"
        assert event["after"]["id"] == tenant_id and event["after"]["name"] == "acme"
        assert "api_key_hash" not in event["after"]
