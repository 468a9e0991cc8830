"""The billing aggregation, pure (no I/O): usage records in, hourly, daily and monthly totals out.

Rules (the Flink job in flink/templates/billing_usage.sql follows the same ones):

* a record counts once, by its id (the action's idempotency key), however often it is delivered and
  in whatever order: a window's total is a sum (a gauge: the peak) over a *set* of records;
* windows are UTC hours, days and months of ``occurred_ms``, the writing transaction's time on the
  database clock, so writers' clock skew cannot move usage between windows, and neither can the time a
  record arrives: a late record updates the window it belongs to;
* a period is final once the newest record seen is two months on: records of older months are
  dropped and counted (``dropped_late``), and their state is forgotten;
* totals are Python integers (written as NUMERIC(38,0); Flink sums DECIMAL(38,0)), so they cannot
  overflow; one record's amount is at most 2^53-1 (see :data:`jisik.billing.record.MAX_QUANTITY`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from jisik.billing.meters import GAUGES, window_start_ms
from jisik.billing.record import MAX_QUANTITY

__all__ = ["OPEN_MONTHS", "UsageEvent", "UsageTotals", "WindowKey", "decode_usage"]

OPEN_MONTHS = 2  # the newest record's month and the one before it still take late records

# tenant id, metric, subject, granularity, window start (epoch ms)
WindowKey = tuple[str, str, str, str, int]


class UsageEvent(NamedTuple):
    """One usage record (a tuple: built once per record on the hot path)."""

    id: str
    tenant_id: str
    metric: str
    subject: str
    quantity: int
    occurred_ms: int


def _valid(row: dict[str, Any]) -> UsageEvent | None:
    try:
        event = UsageEvent(id=str(row["id"]), tenant_id=str(row["tenant_id"]), metric=str(row["metric"]),
                           subject=str(row.get("subject") or ""), quantity=int(row["quantity"]),
                           occurred_ms=int(row["occurred_ms"]))
    except (KeyError, TypeError, ValueError):
        return None
    return event if 0 <= event.quantity <= MAX_QUANTITY and event.id and event.tenant_id else None


def decode_usage(value: bytes | None) -> UsageEvent | None:
    """The usage a ``db.usage`` record carries (a Debezium envelope, with or without its schema wrapper):
    inserts and snapshot reads; None for anything else (records are never updated, and deleting one, e.g.
    a privacy purge, does not un-bill it) and for rows that are not usage. Read straight from the JSON,
    without building a change-event model: this runs for every billable action.

    :raises ValueError: the value is not JSON.
    """
    if value is None:
        return None
    data = json.loads(value)
    if isinstance(data, dict) and "payload" in data and "schema" in data:
        data = data["payload"]
    if not isinstance(data, dict) or data.get("op") not in ("c", "r"):
        return None
    after = data.get("after")
    return _valid(after) if isinstance(after, dict) else None


@dataclass(slots=True)
class _Total:
    quantity: int = 0
    events: int = 0


@dataclass(slots=True)
class UsageTotals:
    """Totals per window, the record ids counted per month, and which windows changed since :meth:`take`."""

    open_months: int = OPEN_MONTHS
    watermark_ms: int = 0
    dropped_late: int = 0
    duplicates: int = 0
    _totals: dict[WindowKey, _Total] = field(default_factory=dict)
    _seen: dict[int, set[str]] = field(default_factory=dict)
    _dirty: set[WindowKey] = field(default_factory=set)
    _oldest_month: int = 0
    _month_of_day: dict[int, int] = field(default_factory=dict)
    _subjects: dict[tuple[str, str, int], set[str]] = field(default_factory=dict)

    def _month(self, at_ms: int) -> int:
        day = window_start_ms(at_ms, "day")
        month = self._month_of_day.get(day)
        if month is None:
            month = self._month_of_day[day] = window_start_ms(at_ms, "month")
        return month

    def add(self, event: UsageEvent) -> bool:
        """Count one record; False when it was counted before or its period is final."""
        month = self._month(event.occurred_ms)
        if month < self._oldest_month:
            self.dropped_late += 1
            return False
        seen = self._seen.setdefault(month, set())
        if event.id in seen:
            self.duplicates += 1
            return False
        seen.add(event.id)
        tenant_id, metric, subject, quantity, at_ms = (event.tenant_id, event.metric, event.subject,
                                                       event.quantity, event.occurred_ms)
        gauge = metric in GAUGES
        totals, dirty = self._totals, self._dirty
        for granularity, start in (("hour", at_ms - at_ms % 3_600_000), ("day", at_ms - at_ms % 86_400_000),
                                   ("month", month)):
            key = (tenant_id, metric, subject, granularity, start)
            total = totals.get(key)
            if total is None:
                total = totals[key] = _Total()
                if granularity == "month":
                    self._subjects.setdefault((tenant_id, metric, month), set()).add(subject)
            total.quantity = max(total.quantity, quantity) if gauge else total.quantity + quantity
            total.events += 1
            dirty.add(key)
        if event.occurred_ms > self.watermark_ms:
            self.watermark_ms = event.occurred_ms
            self._expire()
        return True

    def _expire(self) -> None:
        oldest = self._month(self.watermark_ms)
        for _ in range(self.open_months - 1):
            oldest = window_start_ms(oldest - 1, "month")
        if oldest <= self._oldest_month:
            return
        self._oldest_month = oldest
        for month in [month for month in self._seen if month < oldest]:
            del self._seen[month]
        for key in [key for key in self._totals if key[4] < oldest]:
            del self._totals[key]
            self._dirty.discard(key)
        for month_key in [month_key for month_key in self._subjects if month_key[2] < oldest]:
            del self._subjects[month_key]

    def take(self) -> list[tuple[WindowKey, int, int]]:
        """Windows changed since the last call: (key, quantity, events); they count as clean afterwards."""
        changed = [(key, self._totals[key].quantity, self._totals[key].events) for key in sorted(self._dirty)]
        self._dirty.clear()
        return changed

    def restore(self, keys: list[WindowKey]) -> None:
        """Mark windows whose write failed as changed again."""
        self._dirty.update(key for key in keys if key in self._totals)

    def month_total(self, tenant_id: str, metric: str, month_start_ms: int) -> int:
        """A tenant's monthly amount of a metric over every subject (a gauge: its peak)."""
        subjects = self._subjects.get((tenant_id, metric, month_start_ms), set())
        values = [self._totals[(tenant_id, metric, subject, "month", month_start_ms)].quantity for subject in subjects]
        return max(values, default=0) if metric in GAUGES else sum(values)

    def windows(self) -> Iterator[tuple[WindowKey, int, int]]:
        """Every window kept: (key, quantity, events)."""
        for key, total in self._totals.items():
            yield key, total.quantity, total.events

