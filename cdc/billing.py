"""Billing: ``db.usage`` (usage_records change events) -> ``billing_usage`` totals and ``billing.threshold``.

Each batch is folded into :class:`~cdc.usage_totals.UsageTotals` (hourly, daily and monthly windows
per tenant, metric and subject; see its rules), and the windows it changed are upserted whole
(``quantity = <total>``) into ``billing_usage`` in one transaction, together with the soft thresholds
the monthly totals now reach (``billing_thresholds``, once per level and period) and their webhook
events. Writing full totals makes a repeated write harmless.

State survives a restart by rebuilding, not by checkpoints: on start the processor reads the open
periods' ``usage_records`` (the source of truth) and then consumes ``db.usage``; a record it already
read is a duplicate by id and counts once. So every fetched offset can be committed after the write.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime

from aiokafka import ConsumerRecord, TopicPartition
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlmodel import col

from jisik.billing.meters import month_of, window_start_ms
from jisik.billing.plans import plans_of
from jisik.billing.thresholds import Crossing, record_crossings
from jisik.db.engine import create_engine, session_factory, transaction
from jisik.db.models import BillingUsage, UsageRecord
from jisik.events import cdc_topic
from jisik.settings import BillingSettings, CdcSettings

from .metrics import (
    BILLING_LATE_RECORDS,
    BILLING_RECORDS,
    BILLING_THRESHOLDS_FIRED,
    BILLING_WINDOW_DELAY_SECONDS,
)
from .usage_totals import OPEN_MONTHS, UsageEvent, UsageTotals, WindowKey, decode_usage

__all__ = ["BillingProcessor", "write_totals"]

logger = logging.getLogger(__name__)

_UPSERT_BATCH = 1000


async def write_totals(session: AsyncSession, changed: Sequence[tuple[WindowKey, int, int]]) -> None:
    """Upsert windows whole into ``billing_usage``."""
    table = BillingUsage.__table__  # type: ignore[attr-defined]  # SQLModel's metaclass adds __table__
    now = datetime.now(UTC)
    for start in range(0, len(changed), _UPSERT_BATCH):
        rows = [{"tenant_id": tenant_id, "metric": metric, "subject": subject, "granularity": granularity,
                 "window_start_ms": window_ms, "quantity": quantity, "events": events, "updated_at": now}
                for (tenant_id, metric, subject, granularity, window_ms), quantity, events
                in changed[start:start + _UPSERT_BATCH]]
        statement = insert(table).values(rows)
        await session.execute(statement.on_conflict_do_update(
            index_elements=[table.c.tenant_id, table.c.metric, table.c.subject, table.c.granularity,
                            table.c.window_start_ms],
            set_={"quantity": statement.excluded.quantity, "events": statement.excluded.events,
                  "updated_at": statement.excluded.updated_at},
        ))


def _oldest_open_month(now_ms: int) -> int:
    month = window_start_ms(now_ms, "month")
    for _ in range(OPEN_MONTHS - 1):
        month = window_start_ms(month - 1, "month")
    return month


class BillingProcessor:
    """db.usage -> billing_usage + billing_thresholds (+ billing.threshold webhook events)."""

    name = "billing"

    def __init__(self, cdc: CdcSettings, billing: BillingSettings, database_url: str) -> None:
        self.topics: tuple[str, ...] = (cdc_topic("usage_records"),)
        self.group_id = cdc.billing_group
        self._billing = billing
        self._database_url = database_url
        self._engine: AsyncEngine | None = None
        self._sessions: async_sessionmaker[AsyncSession] | None = None
        self.totals = UsageTotals()
        self.crossings: list[Crossing] = []  # the latest batch's, for callers that watch (benchmarks)

    async def start(self) -> None:
        """Rebuild the open periods' totals from ``usage_records`` (see the module docstring)."""
        self._engine = create_engine(self._database_url, pool_size=2)
        self._sessions = session_factory(self._engine)
        self.totals = UsageTotals()
        since = _oldest_open_month(int(time.time() * 1000))
        async with self._sessions() as session:
            result = await session.stream(
                select(col(UsageRecord.id), col(UsageRecord.tenant_id), col(UsageRecord.metric),
                       col(UsageRecord.subject), col(UsageRecord.quantity), col(UsageRecord.occurred_ms))
                .where(col(UsageRecord.occurred_ms) >= since)
            )
            async for row in result:
                self.totals.add(UsageEvent(*row))
        await self._flush()

    async def stop(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    async def handle(self, records: Sequence[ConsumerRecord[bytes, bytes]]) -> dict[TopicPartition, int] | None:
        counted: list[int] = []
        dropped_before = self.totals.dropped_late
        for record in records:
            try:
                event = decode_usage(record.value)
            except ValueError:
                logger.warning("skipping a malformed change event at %s@%d", record.topic, record.offset)
                continue
            if event is not None and self.totals.add(event):
                counted.append(event.occurred_ms)
        if self.totals.dropped_late > dropped_before:
            BILLING_LATE_RECORDS.inc(self.totals.dropped_late - dropped_before)
            logger.warning("dropped %d usage records of final periods", self.totals.dropped_late - dropped_before)
        await self._flush()
        now_ms = time.time() * 1000
        for occurred_ms in counted:
            BILLING_WINDOW_DELAY_SECONDS.observe(max(0.0, (now_ms - occurred_ms) / 1000))
        BILLING_RECORDS.inc(len(counted))
        return None

    async def _flush(self) -> None:
        changed = self.totals.take()
        if not changed:
            return
        assert self._sessions is not None, "start() first"
        try:
            async with transaction(self._sessions) as session:
                await write_totals(session, changed)
                self.crossings = await self._cross_thresholds(session, changed)
        except BaseException:
            self.totals.restore([key for key, _, _ in changed])
            raise
        for crossing in self.crossings:
            BILLING_THRESHOLDS_FIRED.labels(str(crossing.level)).inc()

    async def _cross_thresholds(
        self, session: AsyncSession, changed: Sequence[tuple[WindowKey, int, int]]
    ) -> list[Crossing]:
        months = sorted({(tenant_id, metric, start) for (tenant_id, metric, _, granularity, start), _, _ in changed
                         if granularity == "month"})
        if not months:
            return []
        plans = await plans_of(session, (tenant_id for tenant_id, _, _ in months), self._billing.default_plan)
        crossings: list[Crossing] = []
        for tenant_id, metric, start in months:
            limit = plans[tenant_id].limit(metric)
            if limit is None:
                continue
            crossings += await record_crossings(
                session, tenant_id=tenant_id, metric=metric,
                period=month_of(datetime.fromtimestamp(start / 1000, UTC)),
                quantity=self.totals.month_total(tenant_id, metric, start), monthly_limit=limit,
                levels=self._billing.threshold_levels,
            )
        return crossings
