"""A generated usage fixture: usage_records change envelopes over two months, duplicated and shuffled."""

from __future__ import annotations

import json
import random
from typing import Any

from cdc.usage_totals import UsageTotals, WindowKey, decode_usage
from jisik.billing import Metric
from jisik.billing.record import MAX_QUANTITY

NOV_1_2026_MS = 1_793_491_200_000  # 2026-11-01T00:00:00Z
DAY_MS = 86_400_000
MODELS = ("qwen2.5-7b", "llama-3.1-8b", "extractive")


def envelope(n: int, *, tenant: str, metric: str, quantity: int, at_ms: int, subject: str = "",
             op: str = "c") -> dict[str, Any]:
    row = {"id": f"{metric}:{tenant}:{n}", "tenant_id": tenant, "metric": metric, "subject": subject,
           "quantity": quantity, "occurred_ms": at_ms}
    return {"before": None, "after": row, "op": op, "ts_ms": at_ms,
            "source": {"db": "d", "schema": "public", "table": "usage_records", "lsn": n, "ts_ms": at_ms}}


def usage_fixture(count: int, *, seed: int = 19, duplicates: float = 0.05) -> list[dict[str, Any]]:
    """``count`` distinct records (6 tenants, every metric, four hours a day for 45 days from 2026-11-01)
    plus redeliveries, shuffled. Tenant t-huge records pages near 2^53 each in December, so its month total passes BIGINT's range."""
    rng = random.Random(seed)
    metrics = list(Metric)
    events = []
    for n in range(count):
        huge = n % 47 == 0
        tenant = "t-huge" if huge else f"t{n % 5}"
        metric = Metric.PAGES_PARSED if huge else metrics[n % len(metrics)]
        subject = MODELS[n % len(MODELS)] if metric in (Metric.CHAT_TOKENS_IN, Metric.CHAT_TOKENS_OUT) else ""
        quantity = MAX_QUANTITY - rng.randrange(1000) if huge else rng.randrange(1, 5000)
        day = 30 + rng.randrange(15) if huge else rng.randrange(45)
        at_ms = NOV_1_2026_MS + day * DAY_MS + rng.randrange(4 * 3_600_000)
        events.append(envelope(n, tenant=tenant, metric=metric.value, quantity=quantity, at_ms=at_ms,
                               subject=subject))
    events += rng.sample(events, int(count * duplicates))
    rng.shuffle(events)
    return events


def python_totals(events: list[dict[str, Any]]) -> dict[WindowKey, tuple[int, int]]:
    """The embedded runtime's totals of the envelopes: window -> (quantity, events)."""
    totals = UsageTotals()
    for data in events:
        event = decode_usage(json.dumps(data).encode())
        if event is not None:
            totals.add(event)
    return {key: (quantity, count) for key, quantity, count in totals.windows()}
