"""Webhooks: endpoints per tenant, messages to deliver (the webhook outbox) and delivery attempts.

Revision ID: 0007_webhooks
Revises: 0006_privacy
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.schema import SchemaItem

revision = "0007_webhooks"
down_revision = "0006_privacy"
branch_labels = None
depends_on = None

_JSON = postgresql.JSONB(astext_type=sa.Text())


def _string(length: int | None = None) -> sa.types.TypeEngine[str]:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def _tenant() -> list[SchemaItem]:
    return [
        sa.Column("tenant_id", _string(36), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
    ]


def upgrade() -> None:
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", _string(36), nullable=False),
        *_tenant(),
        sa.Column("url", _string(2048), nullable=False),
        sa.Column("description", _string(500), nullable=False),
        sa.Column("event_types", postgresql.ARRAY(sa.VARCHAR(length=64)), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("disabled_reason", _string(500), nullable=False),
        sa.Column("secret", _string(100), nullable=False),
        sa.Column("previous_secret", _string(100), nullable=False),
        sa.Column("previous_secret_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failing_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_webhook_endpoints_tenant_id"), "webhook_endpoints", ["tenant_id"], unique=False)
    op.create_table(
        "webhook_messages",
        sa.Column("id", _string(36), nullable=False),
        *_tenant(),
        sa.Column("endpoint_id", _string(36), nullable=False),
        sa.Column("event_id", _string(40), nullable=False),
        sa.Column("event_type", _string(64), nullable=False),
        sa.Column("payload", _JSON, nullable=False),
        sa.Column("status", _string(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_response_code", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["endpoint_id"], ["webhook_endpoints.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_webhook_messages_tenant_id"), "webhook_messages", ["tenant_id"], unique=False)
    op.create_index(op.f("ix_webhook_messages_event_id"), "webhook_messages", ["event_id"], unique=False)
    op.create_index("ix_webhook_messages_due", "webhook_messages", ["endpoint_id", "next_attempt_at"], unique=False,
                    postgresql_where=sa.text("status = 'pending'"))
    op.create_index("ix_webhook_messages_endpoint_created", "webhook_messages", ["endpoint_id", "created_at"],
                    unique=False)
    op.create_table(
        "webhook_attempts",
        sa.Column("id", _string(36), nullable=False),
        *_tenant(),
        sa.Column("message_id", _string(36), nullable=False),
        sa.Column("endpoint_id", _string(36), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("result", _string(16), nullable=False),
        sa.Column("response_code", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("response_body", _string(1024), nullable=False),
        sa.Column("error", _string(500), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["webhook_messages.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_webhook_attempts_tenant_id"), "webhook_attempts", ["tenant_id"], unique=False)
    op.create_index(op.f("ix_webhook_attempts_endpoint_id"), "webhook_attempts", ["endpoint_id"], unique=False)
    op.create_index("ix_webhook_attempts_message", "webhook_attempts", ["message_id", "attempted_at"], unique=False)


def downgrade() -> None:
    op.drop_table("webhook_attempts")
    op.drop_table("webhook_messages")
    op.drop_table("webhook_endpoints")
