"""Usage and plans: a tenant's own usage, and the operator's view across tenants (admin token)."""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from sqlalchemy import select
from sqlmodel import col

from jisik.billing import month_of
from jisik.billing.plans import PlanTerms, set_plan
from jisik.billing.report import UsageReport, tenants_usage, usage_report
from jisik.db.models import Plan, Tenant
from jisik.errors import InvalidInput, NotFound

from ..deps import PUBLIC, SessionDep, SettingsDep, TenantDep, require_scope
from ..schemas.common import Envelope
from ..schemas.usage import PlanChange, PlanPublic, TenantUsagePublic, UsagePublic
from .tenants import check_admin_token

router = APIRouter(tags=["usage"])

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
PeriodQuery = Annotated[str | None, Query(description="Billing period YYYY-MM (UTC); default: this month")]
AdminToken = Annotated[str | None, Header(include_in_schema=False)]


def _period(value: str | None) -> str:
    if value is None:
        return month_of(datetime.now(UTC))
    if not _PERIOD.match(value):
        raise InvalidInput("period must be a month as YYYY-MM", field="period")
    return value


def _plan(plan: PlanTerms) -> dict[str, Any]:
    return {"id": plan.id, "name": plan.name, "currency": plan.currency, "monthly_limits": plan.monthly_limits,
            "unit_prices": {metric: str(price) for metric, price in plan.unit_prices.items()}}


def _report(report: UsageReport) -> dict[str, Any]:
    return {
        "period": report.period, "period_start": report.period_start, "period_end": report.period_end,
        "plan": _plan(report.plan),
        "metrics": [{**asdict(metric), "cost": str(metric.cost), "projected_cost": str(metric.projected_cost)}
                    for metric in report.metrics],
        "daily": report.daily, "thresholds": report.thresholds,
        "cost": str(report.cost), "projected_cost": str(report.projected_cost),
    }


@router.get("/usage", response_model=Envelope[UsagePublic], dependencies=[require_scope("read")])
async def own_usage(tenant: TenantDep, session: SessionDep, settings: SettingsDep,
                    period: PeriodQuery = None) -> dict[str, Any]:
    """This tenant's usage in a period: totals per metric against the plan's limits, a daily series,
    the projection to the end of the period, the estimated cost and the thresholds crossed."""
    report = await usage_report(session, tenant.id, _period(period), settings.billing)
    return {"success": True, "data": _report(report)}


@router.get("/plans", response_model=Envelope[list[PlanPublic]], dependencies=[require_scope("read")])
async def plans(tenant: TenantDep, session: SessionDep) -> dict[str, Any]:  # noqa: ARG001  # any tenant may read
    """The plans on offer."""
    found = (await session.execute(select(Plan).order_by(col(Plan.id)))).scalars()
    return {"success": True, "data": [_plan(PlanTerms.of(plan)) for plan in found]}


@router.get("/admin/usage", response_model=Envelope[list[TenantUsagePublic]], dependencies=[PUBLIC])
async def all_usage(request: Request, session: SessionDep, settings: SettingsDep, period: PeriodQuery = None,
                    x_admin_token: AdminToken = None) -> dict[str, Any]:
    """Every tenant's usage and estimated cost in a period (deleted tenants too). Needs X-Admin-Token."""
    check_admin_token(request, settings, x_admin_token)
    found = await tenants_usage(session, _period(period), settings.billing)
    return {"success": True, "data": [{**asdict(row), "cost": str(row.cost)} for row in found]}


@router.put("/admin/tenants/{tenant_id}/plan", response_model=Envelope[None], dependencies=[PUBLIC])
async def change_plan(request: Request, tenant_id: str, body: PlanChange, session: SessionDep,
                      settings: SettingsDep, x_admin_token: AdminToken = None) -> dict[str, Any]:
    """Put a tenant on a plan from now on (it governs the whole current period). Needs X-Admin-Token."""
    check_admin_token(request, settings, x_admin_token)
    if await session.get(Tenant, tenant_id) is None:
        raise NotFound(f"tenant {tenant_id} not found", field="tenant_id")
    await set_plan(session, tenant_id, body.plan_id)
    return {"success": True, "data": None}
