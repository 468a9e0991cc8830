"""Kafka records the relay produces: outbox events as written, other tables as Debezium envelopes."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jisik.events import cdc_topic

from .changes import RowChange

__all__ = ["CONNECTOR", "OUTBOX_ID_HEADER", "KafkaRecord", "debezium_record", "outbox_record", "tombstone"]

CONNECTOR = "jisik"
OUTBOX_ID_HEADER = "jisik-outbox-id"


@dataclass(frozen=True, slots=True)
class KafkaRecord:
    topic: str
    key: bytes
    # None is a tombstone: a compacted topic drops every earlier record of the key.
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...] = ()


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def outbox_record(row: dict[str, Any]) -> KafkaRecord:
    """topic = event_type, key = aggregate_id, value = payload, headers = the row's headers (traceparent)."""
    headers = [(str(name), str(value).encode()) for name, value in (row.get("headers") or {}).items()]
    headers.append((OUTBOX_ID_HEADER, str(row["id"]).encode()))
    return KafkaRecord(
        topic=str(row["event_type"]),
        key=str(row["aggregate_id"]).encode(),
        value=_json(row["payload"]),
        headers=tuple(headers),
    )


def debezium_record(
    change: RowChange,
    *,
    database: str,
    primary_key: tuple[str, ...],
    xid: int | None,
    commit_time: datetime | None,
    snapshot: bool = False,
) -> KafkaRecord:
    """A change event in Debezium's envelope (JSON converter, schemas disabled) on ``db.<table>``.

    The key is the primary key as a JSON object, like Debezium's; truncates have none.
    """
    now_ms = int(time.time() * 1000)
    row = change.after if change.after is not None else change.before
    key = {column: row.get(column) for column in primary_key} if row is not None else {}
    envelope = {
        "before": change.before,
        "after": change.after,
        "source": {
            "version": "jisik-1",
            "connector": CONNECTOR,
            "name": CONNECTOR,
            "ts_ms": int(commit_time.timestamp() * 1000) if commit_time else now_ms,
            "snapshot": "true" if snapshot else "false",
            "db": database,
            "schema": change.schema,
            "table": change.table,
            "txId": xid,
            "lsn": change.lsn,
        },
        "op": change.op,
        "ts_ms": now_ms,
    }
    return KafkaRecord(topic=cdc_topic(change.table), key=_json(key), value=_json(envelope))


def tombstone(record: KafkaRecord) -> KafkaRecord:
    """The tombstone that follows a delete on a compacted topic (Debezium's ``tombstones.on.delete``)."""
    return KafkaRecord(topic=record.topic, key=record.key, value=None)
