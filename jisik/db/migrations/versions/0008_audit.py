"""The audit trail: a context row per writing transaction (actor, request id) and the audit events the
cdc audit processor derives from change events.

Revision ID: 0008_audit
Revises: 0007_webhooks
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008_audit"
down_revision = "0007_webhooks"
branch_labels = None
depends_on = None


def _string(length: int) -> sa.types.TypeEngine[str]:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "audit_context",
        sa.Column("xid", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("xid32", sa.BigInteger(), nullable=False),
        sa.Column("actor", _string(255), nullable=False),
        sa.Column("request_id", _string(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("xid"),
    )
    op.create_index("ix_audit_context_xid32", "audit_context", ["xid32"], unique=False)
    op.create_table(
        "audit_events",
        sa.Column("id", _string(36), nullable=False),
        sa.Column("event_key", _string(255), nullable=False),
        sa.Column("tenant_id", _string(36), nullable=False),
        sa.Column("entity_type", _string(64), nullable=False),
        sa.Column("entity_id", _string(255), nullable=False),
        sa.Column("action", _string(16), nullable=False),
        sa.Column("actor", _string(255), nullable=False),
        sa.Column("request_id", _string(128), nullable=False),
        sa.Column("tx_id", sa.BigInteger(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_key"),
    )
    op.create_index("ix_audit_events_entity", "audit_events",
                    ["tenant_id", "entity_type", "entity_id", "occurred_at"], unique=False)
    op.create_index("ix_audit_events_tenant_time", "audit_events", ["tenant_id", "occurred_at"], unique=False)
    op.create_index("ix_audit_events_actor", "audit_events", ["tenant_id", "actor", "occurred_at"], unique=False)


def downgrade() -> None:
    op.drop_table("audit_events")
    op.drop_table("audit_context")
