"""Hard limits: new uploads, URL imports and chats are refused once the plan's monthly limit is reached.

Rules:

* counters (pages, tokens, ...) are compared with this month's total in ``billing_usage``; an action is
  refused when the total has *reached* the limit. The action that crosses it completes (its size is not
  known in advance), and the totals trail the commits by the aggregation delay (p95 under 2 s in
  bench/billing.py), so a burst can pass a limit by what fits in that delay;
* storage is a level: an upload is refused when the tenant's stored bytes plus the file would pass it;
* refusals are :class:`PlanLimitReached`, HTTP **402 Payment Required** (not 429: waiting a moment does
  not help; the limit lifts when the period resets, at ``resets_at``, or when the plan changes).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from jisik.db.models import BillingUsage, Tenant
from jisik.errors import QuotaExceeded
from jisik.settings import BillingSettings

from .meters import GAUGES, Metric, month_of, period_bounds
from .plans import plans_of

__all__ = ["PlanLimitReached", "check_limits"]


class PlanLimitReached(QuotaExceeded):
    """A plan's monthly limit is used up. ``resets_at`` is None for storage (it lifts when files go)."""

    code = "plan_limit_reached"
    http_status = 402

    def __init__(self, message: str, *, metric: str, limit: int, used: int, resets_at: datetime | None) -> None:
        super().__init__(message, field=metric)
        self.details = {"metric": metric, "limit": limit, "used": used,
                        "resets_at": resets_at.isoformat().replace("+00:00", "Z") if resets_at else None}


async def _month_totals(session: AsyncSession, tenant_id: str, metrics: list[str], month_start_ms: int) -> dict[str, int]:
    rows = await session.execute(
        select(col(BillingUsage.metric), func.sum(col(BillingUsage.quantity)))
        .where(col(BillingUsage.tenant_id) == tenant_id, col(BillingUsage.metric).in_(metrics),
               col(BillingUsage.granularity) == "month", col(BillingUsage.window_start_ms) == month_start_ms)
        .group_by(col(BillingUsage.metric))
    )
    return {str(metric): int(total or Decimal(0)) for metric, total in rows.all()}


async def check_limits(
    session: AsyncSession, tenant_id: str, demands: Mapping[Metric, int], billing: BillingSettings,
    *, now: datetime | None = None,
) -> None:
    """Refuse an action that needs ``demands`` (metric -> amount it adds now; 0 when not known yet).

    :raises PlanLimitReached: a limit of the tenant's plan is reached (see the module's rules).
    """
    if not billing.enforce_limits:
        return
    plan = (await plans_of(session, [tenant_id], billing.default_plan))[tenant_id]
    limited = {metric: limit for metric in demands if (limit := plan.limit(metric)) is not None}
    if not limited:
        return
    moment = now or datetime.now(UTC)
    start, resets_at = period_bounds(month_of(moment))
    totals = await _month_totals(session, tenant_id, [metric.value for metric in limited if metric not in GAUGES],
                                 int(start.timestamp() * 1000))
    for metric, limit in limited.items():
        if metric in GAUGES:
            used = int((await session.execute(
                select(col(Tenant.storage_used)).where(col(Tenant.id) == tenant_id))).scalar_one_or_none() or 0)
            if used + demands[metric] > limit:
                raise PlanLimitReached(
                    f"the {plan.name} plan stores at most {limit:,} bytes; {used:,} are stored and this adds "
                    f"{demands[metric]:,}. Delete documents or change the plan",
                    metric=metric.value, limit=limit, used=used, resets_at=None)
            continue
        used = totals.get(metric.value, 0)
        if used >= limit:
            raise PlanLimitReached(
                f"the {plan.name} plan's monthly limit of {limit:,} {metric.value} is reached ({used:,} used); "
                f"it resets at {resets_at.isoformat().replace('+00:00', 'Z')}",
                metric=metric.value, limit=limit, used=used, resets_at=resets_at)
