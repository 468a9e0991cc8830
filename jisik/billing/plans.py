"""Plans and the plan each tenant is on.

Rule for a plan changed mid-period: the plan in force *now* governs the whole current period (its
limits are checked against everything used since the period began, and the estimate prices the whole
period with it). Thresholds already fired this period stay fired; levels newly crossed under the new
plan's limits fire once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from jisik.db.models import Plan, TenantPlan
from jisik.errors import NotFound

__all__ = ["PlanTerms", "plans_of", "set_plan"]


@dataclass(frozen=True, slots=True)
class PlanTerms:
    id: str
    name: str
    currency: str
    monthly_limits: dict[str, int]
    unit_prices: dict[str, Decimal]

    @classmethod
    def of(cls, plan: Plan) -> PlanTerms:
        return cls(id=plan.id, name=plan.name, currency=plan.currency,
                   monthly_limits={metric: int(limit) for metric, limit in plan.monthly_limits.items()},
                   unit_prices={metric: Decimal(str(price)) for metric, price in plan.unit_prices.items()})

    def limit(self, metric: str) -> int | None:
        """The monthly limit of ``metric``; None when it is unlimited."""
        return self.monthly_limits.get(metric)

    def cost(self, metric: str, quantity: int) -> Decimal:
        return self.unit_prices.get(metric, Decimal(0)) * quantity


async def plans_of(session: AsyncSession, tenant_ids: Iterable[str], default_plan: str) -> dict[str, PlanTerms]:
    """Each tenant's plan (the default plan for a tenant that was given none, or that no longer exists).

    :raises NotFound: the default plan does not exist.
    """
    ids = sorted(set(tenant_ids))
    rows = await session.execute(
        select(col(TenantPlan.tenant_id), col(TenantPlan.plan_id)).where(col(TenantPlan.tenant_id).in_(ids)))
    chosen = {str(tenant_id): str(plan_id) for tenant_id, plan_id in rows.all()}
    wanted = set(chosen.values()) | {default_plan}
    plans = {plan.id: PlanTerms.of(plan) for plan in (await session.execute(
        select(Plan).where(col(Plan.id).in_(wanted)))).scalars()}
    if default_plan not in plans:
        raise NotFound(f"the default plan {default_plan!r} does not exist", field="plan_id")
    return {tenant_id: plans[chosen.get(tenant_id, default_plan)] for tenant_id in ids}


async def set_plan(session: AsyncSession, tenant_id: str, plan_id: str) -> None:
    """Put the tenant on ``plan_id`` from now on (see the module's rule for the current period).

    :raises NotFound: no such plan.
    """
    if await session.get(Plan, plan_id) is None:
        raise NotFound(f"plan {plan_id} not found", field="plan_id")
    table = TenantPlan.__table__  # type: ignore[attr-defined]  # SQLModel's metaclass adds __table__
    statement = insert(table).values(tenant_id=tenant_id, plan_id=plan_id)
    await session.execute(statement.on_conflict_do_update(
        index_elements=[table.c.tenant_id], set_={"plan_id": plan_id, "changed_at": statement.excluded.changed_at}))
