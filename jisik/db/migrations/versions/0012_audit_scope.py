"""Audit events name the knowledge base and document their entity belongs to, so a knowledge base's
timeline includes its documents and a document's includes its fields and reviews.

Revision ID: 0012_audit_scope
Revises: 0011_access_lists
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0012_audit_scope"
down_revision = "0011_access_lists"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for column in ("knowledge_base_id", "document_id"):
        op.add_column("audit_events", sa.Column(column, sqlmodel.sql.sqltypes.AutoString(length=36),
                                                nullable=False, server_default=""))
        op.alter_column("audit_events", column, server_default=None)
    op.create_index("ix_audit_events_knowledge_base", "audit_events",
                    ["tenant_id", "knowledge_base_id", "occurred_at"], unique=False)
    op.create_index("ix_audit_events_document", "audit_events", ["tenant_id", "document_id", "occurred_at"],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_audit_events_document", table_name="audit_events")
    op.drop_index("ix_audit_events_knowledge_base", table_name="audit_events")
    op.drop_column("audit_events", "document_id")
    op.drop_column("audit_events", "knowledge_base_id")
