"""Usage, plans and the operator's view across tenants. Amounts are integers; money is a decimal string."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from .common import Strict


class PlanPublic(BaseModel):
    id: str
    name: str
    currency: str
    monthly_limits: dict[str, int] = Field(description="Metric -> monthly limit; a metric without one is unlimited")
    unit_prices: dict[str, str] = Field(description="Metric -> price of one unit (decimal string)")


class MetricUsagePublic(BaseModel):
    metric: str
    used: int
    limit: int | None
    percent: float | None = Field(description="Share of the limit used, in percent (None: unlimited)")
    projected: int = Field(description="Projected amount at the end of the period")
    cost: str
    projected_cost: str
    by_subject: dict[str, int] = Field(description="Amounts per model (chat tokens, embeddings); '' = none")


class ThresholdPublic(BaseModel):
    metric: str
    level: int = Field(description="Percent of the monthly limit crossed")
    used: int
    limit: int
    crossed_at: datetime


class UsagePublic(BaseModel):
    period: str
    period_start: datetime
    period_end: datetime = Field(description="End of the period: when monthly limits reset")
    plan: PlanPublic
    metrics: list[MetricUsagePublic]
    daily: list[dict[str, int | str]] = Field(description="One entry per day with use: date and metric amounts")
    thresholds: list[ThresholdPublic]
    cost: str = Field(description="Estimated cost of the use so far")
    projected_cost: str = Field(description="Estimated cost at the end of the period")


class TenantUsagePublic(BaseModel):
    tenant_id: str
    name: str | None = Field(description="None when the tenant was deleted (its usage stays billable)")
    plan: str
    used: dict[str, int]
    cost: str
    currency: str


class PlanChange(Strict):
    plan_id: str = Field(min_length=1, max_length=32)
