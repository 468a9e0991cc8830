"""Billing totals: the pure aggregation (rules, duplicates, order, late records, overflow), then the
processor over the real relay, broker and PostgreSQL (billing_usage, thresholds, restart)."""

from __future__ import annotations

import asyncio
import json
import random
from decimal import Decimal
from typing import Any

import pytest
from cdc_helpers import RelayRunner, seed
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlmodel import col
from usage_fixture import DAY_MS, NOV_1_2026_MS, envelope, python_totals

from cdc.billing import BillingProcessor
from cdc.processor import run_processor
from cdc.usage_totals import UsageEvent, UsageTotals, decode_usage
from jisik.billing import Metric, record_usage
from jisik.billing.plans import set_plan
from jisik.db.engine import create_engine, session_factory, transaction
from jisik.db.models import BillingThreshold, BillingUsage
from jisik.runtime.tansu import EmbeddedTansu
from jisik.settings import BillingSettings, CdcSettings, KafkaSettings
from tests.webhooks.webhook_db import new_endpoint, staged

HOUR_MS = 3_600_000


def decoded(data: dict[str, Any]) -> UsageEvent | None:
    return decode_usage(json.dumps(data).encode())


def totals_of(*events: dict[str, Any]) -> UsageTotals:
    totals = UsageTotals()
    for data in events:
        event = decoded(data)
        assert event is not None
        totals.add(event)
    return totals


class TestUsageTotals:
    def test_hour_day_and_month_windows_sum_counters_and_keep_a_gauges_peak(self) -> None:
        at = NOV_1_2026_MS + 5 * DAY_MS + 3 * HOUR_MS
        totals = totals_of(
            envelope(1, tenant="t1", metric="pages_parsed", quantity=10, at_ms=at),
            envelope(2, tenant="t1", metric="pages_parsed", quantity=5, at_ms=at + 10 * 60_000),
            envelope(3, tenant="t1", metric="pages_parsed", quantity=1, at_ms=at + HOUR_MS),
            envelope(4, tenant="t1", metric="storage_bytes", quantity=900, at_ms=at),
            envelope(5, tenant="t1", metric="storage_bytes", quantity=300, at_ms=at + HOUR_MS),
        )
        got = {key: quantity for key, quantity, _ in totals.windows()}
        day, hour = NOV_1_2026_MS + 5 * DAY_MS, at
        assert got[("t1", "pages_parsed", "", "hour", hour)] == 15
        assert got[("t1", "pages_parsed", "", "hour", hour + HOUR_MS)] == 1
        assert got[("t1", "pages_parsed", "", "day", day)] == 16
        assert got[("t1", "pages_parsed", "", "month", NOV_1_2026_MS)] == 16
        assert got[("t1", "storage_bytes", "", "month", NOV_1_2026_MS)] == 900
        assert got[("t1", "storage_bytes", "", "hour", hour + HOUR_MS)] == 300

    def test_month_total_adds_every_model_of_a_metric(self) -> None:
        totals = totals_of(*(envelope(n, tenant="t1", metric="chat_tokens_in", subject=model, quantity=100,
                                      at_ms=NOV_1_2026_MS + n) for n, model in enumerate(("a", "b", "b"))))
        assert totals.month_total("t1", "chat_tokens_in", NOV_1_2026_MS) == 300
        assert totals.month_total("t2", "chat_tokens_in", NOV_1_2026_MS) == 0

    def test_records_of_final_periods_are_dropped_and_counted(self) -> None:
        totals = totals_of(envelope(1, tenant="t1", metric="ocr_pages", quantity=1, at_ms=NOV_1_2026_MS + 70 * DAY_MS))
        old = decoded(envelope(2, tenant="t1", metric="ocr_pages", quantity=1, at_ms=NOV_1_2026_MS + DAY_MS))
        assert old is not None and not totals.add(old)
        assert totals.dropped_late == 1
        late_but_open = decoded(envelope(3, tenant="t1", metric="ocr_pages", quantity=1,
                                         at_ms=NOV_1_2026_MS + 31 * DAY_MS))
        assert late_but_open is not None and totals.add(late_but_open), "the previous month still takes records"

    def test_take_returns_changed_windows_once(self) -> None:
        totals = totals_of(envelope(1, tenant="t1", metric="rerank_calls", quantity=2, at_ms=NOV_1_2026_MS))
        assert len(totals.take()) == 3
        assert totals.take() == []
        again = decoded(envelope(1, tenant="t1", metric="rerank_calls", quantity=2, at_ms=NOV_1_2026_MS))
        assert again is not None and not totals.add(again)
        assert totals.take() == [], "a duplicate changes no window"

    def test_bad_rows_and_other_operations_carry_no_usage(self) -> None:
        negative = envelope(1, tenant="t1", metric="ocr_pages", quantity=-5, at_ms=NOV_1_2026_MS)
        too_big = envelope(2, tenant="t1", metric="ocr_pages", quantity=2**60, at_ms=NOV_1_2026_MS)
        deleted = {**envelope(3, tenant="t1", metric="ocr_pages", quantity=1, at_ms=NOV_1_2026_MS), "op": "d"}
        missing = envelope(4, tenant="t1", metric="ocr_pages", quantity=1, at_ms=NOV_1_2026_MS)
        del missing["after"]["occurred_ms"]
        for data in (negative, too_big, deleted, missing):
            assert decoded(data) is None
        assert decode_usage(None) is None, "a tombstone"
        wrapped = {"schema": {}, "payload": envelope(5, tenant="t1", metric="ocr_pages", quantity=2, at_ms=1)}
        assert decoded(wrapped) is not None, "Debezium's JSON converter with schemas enabled"
        with pytest.raises(ValueError):
            decode_usage(b"not json")


_records = st.lists(
    st.tuples(st.integers(0, 40), st.sampled_from(["t1", "t2"]), st.sampled_from(["pages_parsed", "storage_bytes"]),
              st.integers(0, 2**53 - 1), st.integers(0, 50 * DAY_MS)),
    min_size=1, max_size=60, unique_by=lambda record: record[0],
)


@given(records=_records, data=st.data())
@settings(max_examples=150, deadline=None)
def test_duplicates_and_reordering_change_no_total(records: list[tuple[int, str, str, int, int]],
                                                   data: st.DataObject) -> None:
    events = [envelope(n, tenant=tenant, metric=metric, quantity=quantity, at_ms=NOV_1_2026_MS + offset)
              for n, tenant, metric, quantity, offset in records]
    redelivered = data.draw(st.lists(st.sampled_from(events), max_size=30))
    shuffled = data.draw(st.permutations(events + redelivered))
    assert python_totals(shuffled) == python_totals(events)


@pytest.mark.integration
class TestBillingProcessor:
    async def test_records_reach_billing_usage_and_thresholds_fire_once(
        self, fresh_database: str, relay_runner: RelayRunner, kafka: EmbeddedTansu, cdc_settings: CdcSettings,
        kafka_settings: KafkaSettings,
    ) -> None:
        tenant_id, _ = await seed(fresh_database)
        engine = create_engine(fresh_database, pool_size=2)
        sessions = session_factory(engine)
        async with transaction(sessions) as session:
            await set_plan(session, tenant_id, "free")  # 1,000 pages a month
        await new_endpoint(sessions, tenant_id, "http://127.0.0.1:9/billing", ["billing.threshold"])
        await relay_runner.start()
        billing = BillingSettings()

        async def run_until(expected_pages: int) -> None:
            stop = asyncio.Event()
            processor = BillingProcessor(cdc_settings, billing, fresh_database)
            task = asyncio.create_task(run_processor(processor, kafka_settings, stop,
                                                     bootstrap_servers=kafka.bootstrap_servers, poll_ms=100))
            try:
                for _ in range(300):
                    relay_runner.check()
                    if task.done():
                        task.result()
                    if await month_pages() == expected_pages:
                        return
                    await asyncio.sleep(0.1)
                pytest.fail(f"billing_usage never reached {expected_pages} pages (has {await month_pages()})")
            finally:
                stop.set()
                await task

        async def month_pages() -> int:
            async with sessions() as session:
                found = (await session.execute(select(col(BillingUsage.quantity)).where(
                    col(BillingUsage.tenant_id) == tenant_id, col(BillingUsage.metric) == "pages_parsed",
                    col(BillingUsage.granularity) == "month"))).scalars().all()
            return int(sum(found, Decimal(0)))

        async def record(key: str, pages: int) -> None:
            async with transaction(sessions) as session:
                await record_usage(session, key=key, tenant_id=tenant_id, metric=Metric.PAGES_PARSED, quantity=pages)

        try:
            await record("doc-a", 400)
            await record("doc-a", 400)  # the same action again: one record
            await record("doc-b", 150)  # 550 of 1,000: the 50% level
            await run_until(550)
            await record("doc-c", 300)  # 850: the 80% level; the processor restarts from usage_records
            await run_until(850)
            async with sessions() as session:
                fired = (await session.execute(select(BillingThreshold).where(
                    col(BillingThreshold.tenant_id) == tenant_id))).scalars().all()
                hours = (await session.execute(select(col(BillingUsage.quantity)).where(
                    col(BillingUsage.tenant_id) == tenant_id, col(BillingUsage.granularity) == "hour"))).scalars().all()
            events = await staged(sessions, "billing.threshold")
        finally:
            await engine.dispose()
        assert sorted((row.metric, row.level, row.monthly_limit) for row in fired) == [
            ("pages_parsed", 50, 1000), ("pages_parsed", 80, 1000)]
        assert sum(hours) == 850
        period = fired[0].period
        assert sorted((event["threshold"], event["used"], event["limit"], event["period"]) for event in events) == [
            (0.5, 550, 1000, period), (0.8, 850, 1000, period)], "one webhook event per level, never again"


def test_shuffled_fixture_totals_match_in_order_totals() -> None:
    from usage_fixture import usage_fixture

    events = usage_fixture(5_000, duplicates=0.2)
    unique = {event["after"]["id"]: event for event in events}
    ordered = sorted(unique.values(), key=lambda event: event["after"]["occurred_ms"])
    assert python_totals(events) == python_totals(ordered)
    assert python_totals(random.Random(1).sample(events, len(events))) == python_totals(ordered)
