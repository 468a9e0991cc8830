"""Metering and plans: usage records, plans and each tenant's plan, materialised totals, fired thresholds.

``usage_records``, ``billing_usage`` and ``tenant_plans`` carry a tenant id without a foreign key on
purpose: usage stays billable, at the tenant's plan, after the tenant is deleted (the period closes at
the deletion).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Column, Index, Numeric, SmallInteger, text
from sqlmodel import Field, SQLModel

from ._common import json_field, timestamp_field

__all__ = ["BillingThreshold", "BillingUsage", "Plan", "TenantPlan", "UsageRecord"]

# Epoch milliseconds of the writing transaction, on the database's clock (one clock for every writer).
NOW_MS = text("(extract(epoch from now()) * 1000)::bigint")


class UsageRecord(SQLModel, table=True):
    """One billable action. ``id`` is its idempotency key: the same action can only be recorded once."""

    __tablename__ = "usage_records"
    __table_args__ = (
        CheckConstraint("quantity >= 0", name="usage_records_quantity_non_negative"),
        Index("ix_usage_records_tenant_time", "tenant_id", "occurred_ms"),
    )

    id: str = Field(primary_key=True, max_length=200)
    tenant_id: str = Field(max_length=36)
    metric: str = Field(max_length=32)
    # What the amount is about when the metric is split further (the chat model); '' otherwise.
    subject: str = Field(default="", max_length=200)
    quantity: int = Field(sa_type=BigInteger)
    occurred_ms: int = Field(sa_column=Column(BigInteger, nullable=False, server_default=NOW_MS))


class Plan(SQLModel, table=True):
    """Monthly limits (metric -> amount; a metric without one is unlimited) and unit prices
    (metric -> price of one unit as a decimal string, in ``currency``)."""

    __tablename__ = "plans"

    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=100)
    monthly_limits: dict[str, Any] = json_field()
    unit_prices: dict[str, Any] = json_field()
    currency: str = Field(default="USD", max_length=3)


class TenantPlan(SQLModel, table=True):
    """A tenant's plan; a tenant without a row is on the default plan (``JISIK_BILLING_DEFAULT_PLAN``)."""

    __tablename__ = "tenant_plans"

    tenant_id: str = Field(primary_key=True, max_length=36)
    plan_id: str = Field(foreign_key="plans.id", max_length=32)
    changed_at: datetime = timestamp_field(onupdate=True)


class BillingUsage(SQLModel, table=True):
    """Totals per tenant, metric, subject and window (hour, day or month, UTC); a gauge keeps its peak."""

    __tablename__ = "billing_usage"

    tenant_id: str = Field(primary_key=True, max_length=36)
    metric: str = Field(primary_key=True, max_length=32)
    subject: str = Field(primary_key=True, max_length=200)
    granularity: str = Field(primary_key=True, max_length=8)
    window_start_ms: int = Field(primary_key=True, sa_type=BigInteger)
    quantity: Decimal = Field(sa_column=Column(Numeric(38, 0), nullable=False))
    events: int = Field(sa_type=BigInteger)
    updated_at: datetime = timestamp_field(onupdate=True)


class BillingThreshold(SQLModel, table=True):
    """A soft threshold (percent of a monthly limit) a tenant crossed; the key makes it fire once per period."""

    __tablename__ = "billing_thresholds"

    tenant_id: str = Field(primary_key=True, max_length=36)
    metric: str = Field(primary_key=True, max_length=32)
    period: str = Field(primary_key=True, max_length=7)
    level: int = Field(primary_key=True, sa_type=SmallInteger)
    quantity: Decimal = Field(sa_column=Column(Numeric(38, 0), nullable=False))
    monthly_limit: int = Field(sa_type=BigInteger)
    crossed_at: datetime = timestamp_field()
