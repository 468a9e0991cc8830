"""The publication and logical replication slot the relay reads, through PostgreSQL's SQL interface.

Why ``pg_logical_slot_peek_binary_changes`` rather than the streaming replication protocol:
psycopg 3 (jisik's async driver) has no replication protocol, and psycopg2's
``LogicalReplicationConnection`` is blocking and would need a thread plus a second driver.
Peeking is plain async SQL, and it makes the checkpoint explicit: changes are only *read*, and
the slot moves (``pg_replication_slot_advance``) after Kafka acknowledged everything before the
new position. A relay killed at any moment therefore re-reads from the last acknowledged
transaction (at-least-once). The cost is polling latency (``poll_interval_s``) and re-decoding the
unacknowledged WAL on each read, both small for outbox-sized traffic. Only one session can use a
slot at a time, so a second relay on the same slot waits instead of double-publishing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import psycopg
from psycopg import sql

from jisik.db.engine import async_url

__all__ = ["SlotRead", "TableColumns", "ReplicationSlot", "format_lsn", "plain_url"]

logger = logging.getLogger(__name__)

_SNAPSHOT_PENDING = "jisik: initial snapshot pending"


def plain_url(url: str) -> str:
    """A libpq URL (no SQLAlchemy driver suffix)."""
    return "postgresql://" + async_url(url).split("://", 1)[1]


def format_lsn(lsn: int) -> str:
    return f"{lsn >> 32:X}/{lsn & 0xFFFFFFFF:X}"


@dataclass(frozen=True, slots=True)
class SlotRead:
    """Messages read up to ``upto_lsn``; ``complete`` when every transaction committed before it is included."""

    messages: list[tuple[int, bytes]]
    upto_lsn: int
    complete: bool


@dataclass(frozen=True, slots=True)
class TableColumns:
    table: str
    columns: tuple[tuple[str, int], ...]  # (name, type oid) in column order


class ReplicationSlot:
    """Owns one autocommit connection used for slot reads, advances and set-up."""

    def __init__(self, url: str, *, slot: str, publication: str) -> None:
        self.url = plain_url(url)
        self.slot = slot
        self.publication = publication
        self._conn: psycopg.AsyncConnection[tuple[object, ...]] | None = None

    async def __aenter__(self) -> ReplicationSlot:
        self._conn = await psycopg.AsyncConnection.connect(self.url, autocommit=True)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    @property
    def conn(self) -> psycopg.AsyncConnection[tuple[object, ...]]:
        if self._conn is None:
            raise RuntimeError("ReplicationSlot used outside 'async with'")
        return self._conn

    async def _scalar(self, query: sql.Composable | str, params: tuple[object, ...] = ()) -> object:
        cursor = await self.conn.execute(query, params)  # type: ignore[arg-type]  # psycopg wants a LiteralString query
        row = await cursor.fetchone()
        return None if row is None else row[0]

    async def ensure(self, tables: tuple[str, ...], outbox_table: str) -> None:
        """Create the publication and slot if missing; captured tables get REPLICA IDENTITY FULL.

        A newly created slot marks the publication "snapshot pending" until :meth:`snapshot_done`.
        """
        wanted = (outbox_table, *tables)
        for table in tables:
            identity = await self._scalar("SELECT relreplident FROM pg_class WHERE oid = %s::regclass", (table,))
            if identity != "f":  # the ALTER takes an exclusive lock: only when needed
                await self.conn.execute(
                    sql.SQL("ALTER TABLE {} REPLICA IDENTITY FULL").format(sql.Identifier(table))
                )
        if await self._scalar("SELECT 1 FROM pg_publication WHERE pubname = %s", (self.publication,)) is None:
            await self.conn.execute(
                sql.SQL("CREATE PUBLICATION {} FOR TABLE {}").format(
                    sql.Identifier(self.publication), sql.SQL(", ").join(map(sql.Identifier, wanted))
                )
            )
        else:
            await self.conn.execute(
                sql.SQL("ALTER PUBLICATION {} SET TABLE {}").format(
                    sql.Identifier(self.publication), sql.SQL(", ").join(map(sql.Identifier, wanted))
                )
            )
        if await self._scalar("SELECT 1 FROM pg_replication_slots WHERE slot_name = %s", (self.slot,)) is None:
            await self._mark_snapshot(pending=True)
            await self.conn.execute("SELECT pg_create_logical_replication_slot(%s, 'pgoutput')", (self.slot,))
            logger.info("created logical replication slot %s", self.slot)

    async def _mark_snapshot(self, *, pending: bool) -> None:
        comment = sql.Literal(_SNAPSHOT_PENDING) if pending else sql.NULL
        await self.conn.execute(
            sql.SQL("COMMENT ON PUBLICATION {} IS {}").format(sql.Identifier(self.publication), comment)
        )

    async def snapshot_pending(self) -> bool:
        comment = await self._scalar(
            "SELECT obj_description(oid, 'pg_publication') FROM pg_publication WHERE pubname = %s",
            (self.publication,),
        )
        return comment == _SNAPSHOT_PENDING

    async def snapshot_done(self) -> None:
        await self._mark_snapshot(pending=False)

    async def database_name(self) -> str:
        return str(await self._scalar("SELECT current_database()"))

    async def columns(self, table: str) -> TableColumns:
        cursor = await self.conn.execute(
            "SELECT attname, atttypid::int FROM pg_attribute WHERE attrelid = %s::regclass "
            "AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
            (table,),
        )
        return TableColumns(table, tuple((str(name), int(oid)) for name, oid in await cursor.fetchall()))  # type: ignore[call-overload]  # psycopg rows are untyped tuples of object

    async def primary_key(self, table: str) -> tuple[str, ...]:
        cursor = await self.conn.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY a.attnum",
            (table,),
        )
        return tuple(str(row[0]) for row in await cursor.fetchall())

    async def read(self, max_changes: int) -> SlotRead:
        """Peek (without consuming) the committed changes up to the current flush position."""
        upto = int(await self._scalar("SELECT (pg_current_wal_flush_lsn() - '0/0'::pg_lsn)::bigint"))  # type: ignore[call-overload]  # psycopg rows are untyped tuples of object
        cursor = await self.conn.execute(
            "SELECT (lsn - '0/0'::pg_lsn)::bigint, data FROM pg_logical_slot_peek_binary_changes("
            "%s, %s::pg_lsn, %s, 'proto_version', '1', 'publication_names', %s)",
            (self.slot, format_lsn(upto), max_changes, self.publication),
        )
        messages = [(int(lsn), bytes(data)) for lsn, data in await cursor.fetchall()]  # type: ignore[call-overload]  # psycopg rows are untyped tuples of object
        return SlotRead(messages, upto, complete=len(messages) < max_changes)

    async def confirmed_lsn(self) -> int:
        value = await self._scalar(
            "SELECT (confirmed_flush_lsn - '0/0'::pg_lsn)::bigint FROM pg_replication_slots WHERE slot_name = %s",
            (self.slot,),
        )
        return int(value or 0)  # type: ignore[call-overload]  # psycopg rows are untyped tuples of object

    async def lag_bytes(self) -> int:
        """WAL bytes written since the slot's confirmed position (what the relay still has to read)."""
        value = await self._scalar(
            "SELECT GREATEST(0, pg_current_wal_lsn() - confirmed_flush_lsn)::bigint FROM pg_replication_slots "
            "WHERE slot_name = %s",
            (self.slot,),
        )
        return int(value or 0)  # type: ignore[call-overload]  # psycopg rows are untyped tuples of object

    async def advance(self, lsn: int) -> None:
        """Checkpoint: everything committed up to ``lsn`` is published and will not be read again."""
        await self.conn.execute("SELECT pg_replication_slot_advance(%s, %s::pg_lsn)", (self.slot, format_lsn(lsn)))

    async def drop(self) -> None:
        """Remove the slot and the publication (tests, decommissioning)."""
        if await self._scalar("SELECT 1 FROM pg_replication_slots WHERE slot_name = %s", (self.slot,)):
            await self.conn.execute("SELECT pg_drop_replication_slot(%s)", (self.slot,))
        await self.conn.execute(sql.SQL("DROP PUBLICATION IF EXISTS {}").format(sql.Identifier(self.publication)))
