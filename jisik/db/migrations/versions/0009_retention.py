"""Retention: how many days a tenant's documents, or one knowledge base's, are kept before the purge
erases them (NULL = kept until deleted; a knowledge base's value wins over its tenant's).

Revision ID: 0009_retention
Revises: 0008_audit
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_retention"
down_revision = "0008_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tenants", sa.Column("retention_days", sa.Integer(), nullable=True))
    op.add_column("knowledge_bases", sa.Column("retention_days", sa.Integer(), nullable=True))
    op.create_index("ix_knowledges_created_at", "knowledges", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_knowledges_created_at", table_name="knowledges")
    op.drop_column("knowledge_bases", "retention_days")
    op.drop_column("tenants", "retention_days")
