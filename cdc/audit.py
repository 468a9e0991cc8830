"""The audit trail's one writer: captured row changes joined with their transaction's context row.

Each ``db.<table>`` change event becomes an ``audit_events`` row: the tenant, entity and action from
the row, the actor and request id from the ``audit_context`` row the same transaction wrote (see
:mod:`jisik.db.audit_context`), the commit time, and the masked diff (:mod:`cdc.audit_diff`). The
context row committed with the change, so it is there when the change is read; a change without one
was made outside any request (a worker, the CLI, plain SQL) and is the ``system``'s. Snapshot reads and
truncates are nobody's action and are skipped, and so are changes of another database that shares the
topics. Idempotent: a change is stored once per
``event_key`` (table, LSN, row id), however often it is delivered.

Context rows older than ``audit_context_retention_s`` are deleted here too (this processor is their
only reader).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
from aiokafka import ConsumerRecord
from psycopg.types.json import Jsonb
from pydantic import ValidationError

from jisik.db.models import SYSTEM_ACTOR
from jisik.events import cdc_topic
from jisik.settings import CdcSettings

from .audit_diff import action_of, diff, entity_type
from .change_event import ChangeEvent, parse_change
from .slot import plain_url

__all__ = ["AuditEntry", "AuditProcessor", "audit_entry"]

logger = logging.getLogger(__name__)

_PRUNE_EVERY_S = 60.0
_INSERT = (
    "INSERT INTO audit_events (id, event_key, tenant_id, entity_type, entity_id, action, knowledge_base_id, "
    "document_id, actor, request_id, tx_id, occurred_at, changes, created_at) "
    "VALUES (gen_random_uuid()::text, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, now()) "
    "ON CONFLICT (event_key) DO NOTHING"
)
# The newest context row per 32-bit transaction id (ids wrap after 2^32 transactions; rows older than
# the retention are gone long before that).
_CONTEXTS = (
    "SELECT DISTINCT ON (xid32) xid32, actor, request_id FROM audit_context "
    "WHERE xid32 = ANY(%s) ORDER BY xid32, xid DESC"
)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audit event before the join with its transaction's context."""

    event_key: str
    tenant_id: str
    entity_type: str
    entity_id: str
    action: str
    knowledge_base_id: str
    document_id: str
    tx_id: int | None
    occurred_at: datetime
    changes: dict[str, dict[str, Any]]


def _entity_id(record_key: bytes | None, row: dict[str, Any]) -> str:
    """The row's primary key (the record key, as Debezium writes it), joined with '/' when composite."""
    key = json.loads(record_key) if record_key else {}
    values = [str(value) for value in key.values()] if isinstance(key, dict) and key else [str(row.get("id", ""))]
    return "/".join(values)


def audit_entry(event: ChangeEvent, record_key: bytes | None) -> AuditEntry | None:
    """The audit entry of a change; None when no one acted (snapshot, truncate), the row names no tenant,
    or an update changed nothing but bookkeeping."""
    action = action_of(event.op)
    if action is None:
        return None
    table, row = event.source.table, event.row
    tenant_id = str(row.get("id") if table == "tenants" else row.get("tenant_id") or "")
    changes = diff(table, event.before, event.after)
    if not tenant_id or not changes:
        return None
    occurred = datetime.fromtimestamp((event.source.ts_ms or event.ts_ms) / 1000, UTC)
    base = row.get("id") if table == "knowledge_bases" else row.get("knowledge_base_id")
    document = row.get("id") if table == "knowledges" else row.get("knowledge_id")
    return AuditEntry(event.identity, tenant_id, entity_type(table), _entity_id(record_key, row), action,
                      str(base or "")[:36], str(document or "")[:36], event.source.txId, occurred, changes)


class AuditProcessor:
    """db.<audited tables> -> audit_events (joined with audit_context)."""

    name = "audit"

    def __init__(self, cdc: CdcSettings, database_url: str) -> None:
        skipped = set(cdc.audit_excluded_tables)
        self.topics: tuple[str, ...] = tuple(cdc_topic(table) for table in cdc.tables if table not in skipped)
        self.group_id = cdc.audit_group
        self._url = plain_url(database_url)
        self._retention_s = cdc.audit_context_retention_s
        self._conn: psycopg.AsyncConnection[tuple[Any, ...]] | None = None
        self._pruned_at = 0.0
        self._database = ""
        self.stored = 0

    async def start(self) -> None:
        self._conn = await psycopg.AsyncConnection.connect(self._url)
        row = await (await self._conn.execute("SELECT current_database()")).fetchone()
        self._database = str(row[0]) if row else ""
        await self._conn.commit()

    async def stop(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    async def handle(self, records: Sequence[ConsumerRecord[bytes, bytes]]) -> None:
        if self._conn is None:
            raise RuntimeError("AuditProcessor.handle before start()")
        entries = [entry for record in records if (entry := self._entry(record, self._database)) is not None]
        async with self._conn.transaction():
            if entries:
                await self._store(self._conn, entries)
            if time.monotonic() - self._pruned_at > _PRUNE_EVERY_S:
                await self._conn.execute(
                    "DELETE FROM audit_context WHERE created_at < now() - make_interval(secs => %s)",
                    (self._retention_s,))
                self._pruned_at = time.monotonic()

    @staticmethod
    def _entry(record: ConsumerRecord[bytes, bytes], database: str) -> AuditEntry | None:
        """The record's entry; None for another database's change (topics may be shared), whose tenants
        and rows are not this database's."""
        try:
            event = parse_change(record)
            if event is None or (event.source.db and event.source.db != database):
                return None
            return audit_entry(event, record.key)
        except (ValueError, KeyError, ValidationError):
            logger.warning("skipping a malformed change event at %s@%d", record.topic, record.offset)
            return None

    async def _store(self, conn: psycopg.AsyncConnection[tuple[Any, ...]], entries: list[AuditEntry]) -> None:
        xids = sorted({entry.tx_id for entry in entries if entry.tx_id is not None})
        contexts = {row[0]: (row[1], row[2]) for row in await (await conn.execute(_CONTEXTS, (xids,))).fetchall()}
        async with conn.cursor() as cursor:
            await cursor.executemany(_INSERT, [
                (entry.event_key, entry.tenant_id, entry.entity_type, entry.entity_id[:255], entry.action,
                 entry.knowledge_base_id, entry.document_id, *contexts.get(entry.tx_id, (SYSTEM_ACTOR, "")), entry.tx_id, entry.occurred_at,
                 Jsonb(entry.changes))
                for entry in entries
            ])
        self.stored += len(entries)
