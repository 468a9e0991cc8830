"""Metering and plans: usage_records (one row per billable action), plans with monthly limits and unit
prices, each tenant's plan, the materialised billing_usage totals and the billing_thresholds fired.

Revision ID: 0013_billing
Revises: 0012_audit_scope
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0013_billing"
down_revision = "0012_audit_scope"
branch_labels = None
depends_on = None

_JSON = postgresql.JSONB(astext_type=sa.Text())
_GIB = 1024**3

# Limits per month (a metric without one is unlimited) and prices per unit in USD.
_PRICES = {
    "pages_parsed": "0.002", "ocr_pages": "0.01", "chunks_embedded": "0.00002", "embedding_calls": "0.0001",
    "rerank_calls": "0.0002", "chat_tokens_in": "0.000001", "chat_tokens_out": "0.000004",
    "storage_bytes": "0.0000000001", "webhook_deliveries": "0.00001",
}
_FREE_LIMITS = {
    "pages_parsed": 1_000, "ocr_pages": 200, "chunks_embedded": 20_000, "embedding_calls": 5_000,
    "rerank_calls": 2_000, "chat_tokens_in": 1_000_000, "chat_tokens_out": 200_000, "storage_bytes": _GIB,
    "webhook_deliveries": 10_000,
}
PLANS = [
    {"id": "free", "name": "Free", "monthly_limits": _FREE_LIMITS, "unit_prices": dict.fromkeys(_PRICES, "0"),
     "currency": "USD"},
    {"id": "team", "name": "Team", "monthly_limits": {metric: limit * 20 for metric, limit in _FREE_LIMITS.items()},
     "unit_prices": _PRICES, "currency": "USD"},
    {"id": "enterprise", "name": "Enterprise", "monthly_limits": {}, "unit_prices": _PRICES, "currency": "USD"},
]


def _string(length: int | None = None) -> sa.types.TypeEngine[str]:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "usage_records",
        sa.Column("id", _string(200), nullable=False),
        sa.Column("tenant_id", _string(36), nullable=False),
        sa.Column("metric", _string(32), nullable=False),
        sa.Column("subject", _string(200), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("occurred_ms", sa.BigInteger(), nullable=False,
                  server_default=sa.text("(extract(epoch from now()) * 1000)::bigint")),
        sa.CheckConstraint("quantity >= 0", name="usage_records_quantity_non_negative"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_usage_records_tenant_time", "usage_records", ["tenant_id", "occurred_ms"], unique=False)
    plans = op.create_table(
        "plans",
        sa.Column("id", _string(32), nullable=False),
        sa.Column("name", _string(100), nullable=False),
        sa.Column("monthly_limits", _JSON, nullable=False),
        sa.Column("unit_prices", _JSON, nullable=False),
        sa.Column("currency", _string(3), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(plans, PLANS)
    op.create_table(
        "tenant_plans",
        sa.Column("tenant_id", _string(36), nullable=False),
        sa.Column("plan_id", _string(32), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"]),
        sa.PrimaryKeyConstraint("tenant_id"),
    )
    op.create_table(
        "billing_usage",
        sa.Column("tenant_id", _string(36), nullable=False),
        sa.Column("metric", _string(32), nullable=False),
        sa.Column("subject", _string(200), nullable=False),
        sa.Column("granularity", _string(8), nullable=False),
        sa.Column("window_start_ms", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.Numeric(38, 0), nullable=False),
        sa.Column("events", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "metric", "subject", "granularity", "window_start_ms"),
    )
    op.create_table(
        "billing_thresholds",
        sa.Column("tenant_id", _string(36), nullable=False),
        sa.Column("metric", _string(32), nullable=False),
        sa.Column("period", _string(7), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("quantity", sa.Numeric(38, 0), nullable=False),
        sa.Column("monthly_limit", sa.BigInteger(), nullable=False),
        sa.Column("crossed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "metric", "period", "level"),
    )


def downgrade() -> None:
    op.drop_table("billing_thresholds")
    op.drop_table("billing_usage")
    op.drop_table("tenant_plans")
    op.drop_table("plans")
    op.drop_index("ix_usage_records_tenant_time", table_name="usage_records")
    op.drop_table("usage_records")
