"""What is metered, and the calendar the totals use (UTC hours, days and months)."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

__all__ = ["GAUGES", "GRANULARITIES", "Metric", "month_of", "period_bounds", "window_start_ms"]


class Metric(StrEnum):
    PAGES_PARSED = "pages_parsed"
    OCR_PAGES = "ocr_pages"
    CHUNKS_EMBEDDED = "chunks_embedded"
    EMBEDDING_CALLS = "embedding_calls"
    RERANK_CALLS = "rerank_calls"
    CHAT_TOKENS_IN = "chat_tokens_in"
    CHAT_TOKENS_OUT = "chat_tokens_out"
    STORAGE_BYTES = "storage_bytes"
    WEBHOOK_DELIVERIES = "webhook_deliveries"


# Gauges report a level, not an amount: a window keeps its peak reading instead of a sum.
GAUGES = frozenset({Metric.STORAGE_BYTES})
GRANULARITIES = ("hour", "day", "month")
_HOUR_MS = 3_600_000
_DAY_MS = 86_400_000


def _month_start(moment: datetime) -> datetime:
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def window_start_ms(at_ms: int, granularity: str) -> int:
    """Start (epoch ms, UTC) of the hour, day or month that ``at_ms`` falls in."""
    if granularity == "hour":
        return at_ms - at_ms % _HOUR_MS
    if granularity == "day":
        return at_ms - at_ms % _DAY_MS
    moment = datetime.fromtimestamp(at_ms / 1000, UTC)
    return int(_month_start(moment).timestamp() * 1000)


def month_of(moment: datetime) -> str:
    """The billing period a moment belongs to, as ``YYYY-MM``."""
    return moment.astimezone(UTC).strftime("%Y-%m")


def period_bounds(period: str) -> tuple[datetime, datetime]:
    """``YYYY-MM`` -> [start, end) in UTC.

    :raises ValueError: not a ``YYYY-MM`` month.
    """
    start = datetime.strptime(period, "%Y-%m").replace(tzinfo=UTC)
    end = start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    return start, end
