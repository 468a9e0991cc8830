"""What the usage API shows: a period's totals, daily series, projection to the period's end and cost.

Projection: a counter's use so far, spread over the share of the period elapsed (at least an hour, so
the first minutes of a month do not project absurd figures); a gauge projects its current peak. A past
period projects what it used. Costs are the plan in force now times the amounts (see
:mod:`jisik.billing.plans` for a plan changed mid-period).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from jisik.db.models import BillingThreshold, BillingUsage, Tenant
from jisik.settings import BillingSettings

from .meters import GAUGES, Metric, period_bounds
from .plans import PlanTerms, plans_of

__all__ = ["MetricUsage", "TenantUsage", "UsageReport", "tenants_usage", "usage_report"]


@dataclass(frozen=True, slots=True)
class MetricUsage:
    metric: str
    used: int
    limit: int | None
    percent: float | None
    projected: int
    cost: Decimal
    projected_cost: Decimal
    by_subject: dict[str, int]


@dataclass(frozen=True, slots=True)
class UsageReport:
    period: str
    period_start: datetime
    period_end: datetime
    plan: PlanTerms
    metrics: list[MetricUsage]
    daily: list[dict[str, object]]
    thresholds: list[dict[str, object]] = field(default_factory=list)

    @property
    def cost(self) -> Decimal:
        return sum((metric.cost for metric in self.metrics), Decimal(0))

    @property
    def projected_cost(self) -> Decimal:
        return sum((metric.projected_cost for metric in self.metrics), Decimal(0))


def _elapsed_share(start: datetime, end: datetime, now: datetime) -> float:
    if now >= end:
        return 1.0
    if now <= start:
        return 0.0
    return max((now - start) / (end - start), timedelta(hours=1) / (end - start))


def _metric_usage(metric: str, subjects: dict[str, int], plan: PlanTerms, share: float) -> MetricUsage:
    gauge = metric in GAUGES
    used = max(subjects.values(), default=0) if gauge else sum(subjects.values())
    projected = used if gauge or share in (0.0, 1.0) else round(used / share)
    limit = plan.limit(metric)
    return MetricUsage(
        metric=metric, used=used, limit=limit,
        percent=round(used * 100 / limit, 1) if limit else None, projected=projected,
        cost=plan.cost(metric, used), projected_cost=plan.cost(metric, projected), by_subject=dict(subjects),
    )


async def usage_report(
    session: AsyncSession, tenant_id: str, period: str, billing: BillingSettings, *, now: datetime | None = None
) -> UsageReport:
    """The tenant's usage in ``period`` (``YYYY-MM``).

    :raises ValueError: ``period`` is not ``YYYY-MM``.
    """
    start, end = period_bounds(period)
    start_ms, end_ms = int(start.timestamp() * 1000), int(end.timestamp() * 1000)
    plan = (await plans_of(session, [tenant_id], billing.default_plan))[tenant_id]
    rows = (await session.execute(
        select(col(BillingUsage.metric), col(BillingUsage.subject), col(BillingUsage.granularity),
               col(BillingUsage.window_start_ms), col(BillingUsage.quantity))
        .where(col(BillingUsage.tenant_id) == tenant_id, col(BillingUsage.granularity).in_(("day", "month")),
               col(BillingUsage.window_start_ms) >= start_ms, col(BillingUsage.window_start_ms) < end_ms)
    )).all()
    month: dict[str, dict[str, int]] = {metric.value: {} for metric in Metric}
    days: dict[int, dict[str, int]] = defaultdict(dict)
    for metric, subject, granularity, window_ms, quantity in rows:
        if granularity == "month":
            month.setdefault(metric, {})[subject] = int(quantity)
        else:
            day = days[window_ms]
            day[metric] = max(day.get(metric, 0), int(quantity)) if metric in GAUGES else day.get(metric, 0) + int(quantity)
    share = _elapsed_share(start, end, now or datetime.now(UTC))
    thresholds = (await session.execute(
        select(BillingThreshold).where(col(BillingThreshold.tenant_id) == tenant_id,
                                       col(BillingThreshold.period) == period)
        .order_by(col(BillingThreshold.crossed_at))
    )).scalars().all()
    return UsageReport(
        period=period, period_start=start, period_end=end, plan=plan,
        metrics=[_metric_usage(metric, subjects, plan, share) for metric, subjects in month.items()],
        daily=[{"date": datetime.fromtimestamp(day_ms / 1000, UTC).date().isoformat(), **values}
               for day_ms, values in sorted(days.items())],
        thresholds=[{"metric": row.metric, "level": row.level, "used": int(row.quantity), "limit": row.monthly_limit,
                     "crossed_at": row.crossed_at} for row in thresholds],
    )


@dataclass(frozen=True, slots=True)
class TenantUsage:
    tenant_id: str
    name: str | None  # None: the tenant was deleted (its usage stays billable)
    plan: str
    used: dict[str, int]
    cost: Decimal
    currency: str


async def tenants_usage(session: AsyncSession, period: str, billing: BillingSettings) -> list[TenantUsage]:
    """Every tenant with usage in ``period`` (deleted ones too), for the operator.

    :raises ValueError: ``period`` is not ``YYYY-MM``.
    """
    start, _ = period_bounds(period)
    start_ms = int(start.timestamp() * 1000)
    rows = (await session.execute(
        select(col(BillingUsage.tenant_id), col(BillingUsage.metric),
               func.sum(col(BillingUsage.quantity)), func.max(col(BillingUsage.quantity)))
        .where(col(BillingUsage.granularity) == "month", col(BillingUsage.window_start_ms) == start_ms)
        .group_by(col(BillingUsage.tenant_id), col(BillingUsage.metric))
    )).all()
    used: dict[str, dict[str, int]] = defaultdict(dict)
    for tenant_id, metric, total, peak in rows:
        used[tenant_id][metric] = int(peak if metric in GAUGES else total)
    names = dict((await session.execute(
        select(col(Tenant.id), col(Tenant.name)).where(col(Tenant.id).in_(list(used))))).all())
    plans = await plans_of(session, used, billing.default_plan)
    return [
        TenantUsage(tenant_id=tenant_id, name=names.get(tenant_id), plan=plans[tenant_id].id, used=amounts,
                    cost=sum((plans[tenant_id].cost(metric, amount) for metric, amount in amounts.items()), Decimal(0)),
                    currency=plans[tenant_id].currency)
        for tenant_id, amounts in sorted(used.items())
    ]
