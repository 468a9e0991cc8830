"""The relay: committed outbox rows and table changes, read from the replication slot, onto Kafka.

One loop step reads the committed transactions since the slot's position, publishes their records
in commit order, waits for every acknowledgement, deletes the published outbox rows and only then
advances the slot. Killed anywhere, the next relay re-reads from the slot: records may repeat
(at-least-once; consumers dedupe by the ``jisik-outbox-id`` header, the document version or the
change's LSN) but none is lost, and a rolled-back transaction is never read at all.

Outbox rows are deleted once published (Debezium's outbox pattern): the WAL, not the table, is the
queue, so the table stays small and a row still present means "not yet published".
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from aiokafka.errors import KafkaError
from psycopg import sql

from jisik.settings import CdcSettings, KafkaSettings
from jisik.telemetry import tracer

from . import pgoutput
from .changes import RowChange, Transaction, TransactionAssembler, row_from_values
from .metrics import COMMIT_TO_PUBLISH_SECONDS, RECORDS_PUBLISHED, SLOT_LAG_BYTES
from .publisher import OrderedPublisher
from .records import KafkaRecord, debezium_record, outbox_record, tombstone
from .slot import ReplicationSlot

__all__ = ["Relay"]

logger = logging.getLogger(__name__)
_SNAPSHOT_PAGE = 500


@dataclass(frozen=True, slots=True)
class _Batch:
    records: list[KafkaRecord]
    outbox_ids: list[str]


class Relay:
    """Publishes the outbox and the captured tables' changes of one database.

    :param bootstrap_servers: overrides ``kafka.bootstrap_servers`` (tests pass the embedded broker's).
    """

    def __init__(
        self, cdc: CdcSettings, kafka: KafkaSettings, database_url: str, *, bootstrap_servers: str | None = None
    ) -> None:
        self.cdc = cdc
        self.kafka = kafka
        self.database_url = database_url
        self.bootstrap_servers = bootstrap_servers
        self.published = 0
        # Set once the slot exists and the initial snapshot is out: changes from then on stream in commit order.
        self.ready = asyncio.Event()
        self._primary_keys: dict[str, tuple[str, ...]] = {}
        self._database = ""
        self._confirmed = 0

    def slot(self) -> ReplicationSlot:
        return ReplicationSlot(self.database_url, slot=self.cdc.slot_name, publication=self.cdc.publication_name)

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Relay until ``stop`` is set (or the task is cancelled)."""
        stop = stop or asyncio.Event()
        async with self.slot() as slot:
            await slot.ensure(self.cdc.tables, self.cdc.outbox_table)
            self._database = await slot.database_name()
            self._primary_keys = {table: await slot.primary_key(table) for table in self.cdc.tables}
            self._confirmed = await slot.confirmed_lsn()
            publisher = OrderedPublisher(self.kafka, self.bootstrap_servers)
            await publisher.start()
            try:
                if await slot.snapshot_pending():
                    if self.cdc.snapshot_on_create:
                        await self._snapshot(slot, publisher)
                    await slot.snapshot_done()
                self.ready.set()
                while not stop.is_set():
                    try:
                        sent = await self.step(slot, publisher)
                    except KafkaError:
                        logger.exception("publishing failed; the slot did not move, retrying")
                        sent = 0
                    if not sent:
                        await _sleep_until(stop, self.cdc.poll_interval_s)
            finally:
                await publisher.stop()

    async def step(self, slot: ReplicationSlot, publisher: OrderedPublisher) -> int:
        """Publish what committed since the slot position; returns the number of records sent."""
        read = await slot.read(self.cdc.max_changes)
        assembler = TransactionAssembler(frozenset(self.cdc.excluded_columns))
        transactions = [txn for lsn, data in read.messages if (txn := assembler.feed(lsn, data)) is not None]
        batch = self._batch(transactions)
        with tracer(__name__).start_as_current_span(
            "cdc.relay.publish", attributes={"cdc.records": len(batch.records), "cdc.transactions": len(transactions)}
        ):
            await publisher.send(batch.records)
        acknowledged = datetime.now(UTC)
        for txn in transactions:
            COMMIT_TO_PUBLISH_SECONDS.observe(max(0.0, (acknowledged - txn.commit_time).total_seconds()))
        RECORDS_PUBLISHED.inc(len(batch.records))
        if batch.outbox_ids and self.cdc.delete_published_outbox:
            await self._delete_outbox(slot, batch.outbox_ids)
        target = read.upto_lsn if read.complete else (transactions[-1].end_lsn if transactions else 0)
        if target > self._confirmed:
            await slot.advance(target)
            self._confirmed = target
        SLOT_LAG_BYTES.set(await slot.lag_bytes())
        self.published += len(batch.records)
        return len(batch.records)

    def _batch(self, transactions: Iterable[Transaction]) -> _Batch:
        records: list[KafkaRecord] = []
        outbox_ids: list[str] = []
        for txn in transactions:
            for change in txn.changes:
                if change.table == self.cdc.outbox_table:
                    if change.op == "c" and change.after is not None:
                        records.append(outbox_record(change.after))
                        outbox_ids.append(str(change.after["id"]))
                elif change.table in self._primary_keys:
                    record = self._envelope(change, txn.xid, txn)
                    records.append(record)
                    if change.op == "d":
                        records.append(tombstone(record))
        return _Batch(records, outbox_ids)

    def _envelope(self, change: RowChange, xid: int | None, txn: Transaction | None) -> KafkaRecord:
        return debezium_record(
            change,
            database=self._database,
            primary_key=self._primary_keys[change.table],
            xid=xid,
            commit_time=txn.commit_time if txn else None,
            snapshot=txn is None,
        )

    async def _delete_outbox(self, slot: ReplicationSlot, ids: list[str]) -> None:
        await slot.conn.execute(
            sql.SQL("DELETE FROM {} WHERE id = ANY(%s)").format(sql.Identifier(self.cdc.outbox_table)), (ids,)
        )

    async def _snapshot(self, slot: ReplicationSlot, publisher: OrderedPublisher) -> None:
        """Publish rows that existed when the slot was created: op=r envelopes and unpublished outbox rows."""
        for table in (*self.cdc.tables, self.cdc.outbox_table):
            layout = await slot.columns(table)
            columns = tuple(pgoutput.Column(name, oid, False) for name, oid in layout.columns)
            excluded = frozenset(
                item.partition(".")[2] for item in self.cdc.excluded_columns if item.startswith(f"{table}.")
            )
            order = "created_at" if table == self.cdc.outbox_table else "1"
            select = sql.SQL("SELECT {} FROM {} ORDER BY {}").format(
                sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(column.name)) for column in columns),
                sql.Identifier(table),
                sql.SQL(order),
            )
            page: list[dict[str, object]] = []
            async with slot.conn.cursor() as cursor:
                async for values in cursor.stream(select):
                    page.append(row_from_values(columns, tuple(values), excluded))  # type: ignore[arg-type]  # psycopg rows are untyped; the query casts every column to text
                    if len(page) >= _SNAPSHOT_PAGE:
                        await self._publish_snapshot_page(slot, publisher, table, page)
                        page = []
            await self._publish_snapshot_page(slot, publisher, table, page)
        logger.info("initial snapshot published")

    async def _publish_snapshot_page(
        self, slot: ReplicationSlot, publisher: OrderedPublisher, table: str, rows: list[dict[str, object]]
    ) -> None:
        if table == self.cdc.outbox_table:
            await publisher.send([outbox_record(row) for row in rows])
            if rows and self.cdc.delete_published_outbox:
                await self._delete_outbox(slot, [str(row["id"]) for row in rows])
        else:
            changes = [RowChange("public", table, "r", None, row, 0) for row in rows]
            await publisher.send([self._envelope(change, None, None) for change in changes])
        self.published += len(rows)
        RECORDS_PUBLISHED.inc(len(rows))


async def _sleep_until(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        pass
