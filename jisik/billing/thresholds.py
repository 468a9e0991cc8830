"""Soft thresholds: a share of a monthly limit crossed fires ``billing.threshold`` once per level and period.

The unique key (tenant, metric, period, level) of ``billing_thresholds`` is what makes it fire once:
the row and its ``billing.threshold`` webhook event are staged in one transaction, and a level already
in the table for the period is never written again, however often the totals are re-written (replays,
restarts).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from jisik.db.models import BillingThreshold
from jisik.webhooks import BillingThreshold as ThresholdData
from jisik.webhooks import EventType, stage_webhook_event

__all__ = ["Crossing", "record_crossings", "reached_levels"]


@dataclass(frozen=True, slots=True)
class Crossing:
    tenant_id: str
    metric: str
    period: str
    level: int
    quantity: int
    monthly_limit: int


def reached_levels(quantity: int, monthly_limit: int, levels: tuple[int, ...]) -> list[int]:
    """The levels (percent) ``quantity`` has reached; a zero limit counts as reached by any use."""
    if monthly_limit <= 0:
        return list(levels) if quantity > 0 else []
    return [level for level in levels if quantity * 100 >= level * monthly_limit]


async def record_crossings(
    session: AsyncSession, *, tenant_id: str, metric: str, period: str, quantity: int, monthly_limit: int,
    levels: tuple[int, ...],
) -> list[Crossing]:
    """Write the levels reached that were not yet reached this period, each with its webhook event;
    returns those (the new crossings)."""
    reached = reached_levels(quantity, monthly_limit, levels)
    if not reached:
        return []
    table = BillingThreshold.__table__  # type: ignore[attr-defined]  # SQLModel's metaclass adds __table__
    statement = (
        insert(table)
        .values([{"tenant_id": tenant_id, "metric": metric, "period": period, "level": level,
                  "quantity": quantity, "monthly_limit": monthly_limit} for level in reached])
        .on_conflict_do_nothing()
        .returning(table.c.level)
    )
    fired = sorted((await session.execute(statement)).scalars())
    for level in fired:
        await stage_webhook_event(session, tenant_id, EventType.BILLING_THRESHOLD, ThresholdData(
            metric=metric, period=period, used=float(quantity), limit=float(monthly_limit), threshold=level / 100))
    return [Crossing(tenant_id, metric, period, level, quantity, monthly_limit) for level in fired]
