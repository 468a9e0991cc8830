"""Field extraction and review: field schema versions per knowledge base, the fields of each document,
people's reviews, and the values an uploader expects on each document.

Revision ID: 0005_fields
Revises: 0004_keyword_blocks
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005_fields"
down_revision = "0004_keyword_blocks"
branch_labels = None
depends_on = None

_JSON = postgresql.JSONB(astext_type=sa.Text())


def _string(length: int | None = None) -> sa.types.TypeEngine[str]:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.add_column("knowledges", sa.Column("expected_fields", _JSON, nullable=False, server_default="{}"))
    op.alter_column("knowledges", "expected_fields", server_default=None)
    op.create_table(
        "field_schemas",
        sa.Column("id", _string(36), nullable=False),
        sa.Column("tenant_id", _string(36), nullable=False),
        sa.Column("knowledge_base_id", _string(36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", _JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["knowledge_base_id"], ["knowledge_bases.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("knowledge_base_id", "version", name="uq_field_schemas_kb_version"),
    )
    op.create_index(op.f("ix_field_schemas_tenant_id"), "field_schemas", ["tenant_id"], unique=False)
    op.create_table(
        "document_fields",
        sa.Column("knowledge_id", _string(36), nullable=False),
        sa.Column("tenant_id", _string(36), nullable=False),
        sa.Column("knowledge_base_id", _string(36), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("document_version", sa.Integer(), nullable=False),
        sa.Column("file_hash", _string(64), nullable=False),
        sa.Column("status", _string(16), nullable=False),
        sa.Column("fields", _JSON, nullable=False),
        sa.Column("errors", _JSON, nullable=False),
        sa.Column("validated_data", _JSON, nullable=False),
        sa.Column("duplicate_of", _string(36), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("reviewed_by", _string(255), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["knowledge_id"], ["knowledges.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("knowledge_id"),
    )
    op.create_index(op.f("ix_document_fields_tenant_id"), "document_fields", ["tenant_id"], unique=False)
    op.create_index("ix_document_fields_queue", "document_fields",
                    ["tenant_id", "knowledge_base_id", "status", "updated_at"], unique=False)
    op.create_index("ix_document_fields_values", "document_fields", ["validated_data"], unique=False,
                    postgresql_using="gin")
    op.create_table(
        "field_reviews",
        sa.Column("id", _string(36), nullable=False),
        sa.Column("tenant_id", _string(36), nullable=False),
        sa.Column("knowledge_base_id", _string(36), nullable=False),
        sa.Column("knowledge_id", _string(36), nullable=False),
        sa.Column("decision", _string(16), nullable=False),
        sa.Column("reviewer", _string(255), nullable=False),
        sa.Column("comment", _string(), nullable=False),
        sa.Column("corrections", _JSON, nullable=False),
        sa.Column("final_status", _string(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["knowledge_id"], ["knowledges.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_field_reviews_tenant_id"), "field_reviews", ["tenant_id"], unique=False)
    op.create_index(op.f("ix_field_reviews_knowledge_base_id"), "field_reviews", ["knowledge_base_id"], unique=False)
    op.create_index(op.f("ix_field_reviews_knowledge_id"), "field_reviews", ["knowledge_id"], unique=False)


def downgrade() -> None:
    op.drop_table("field_reviews")
    op.drop_table("document_fields")
    op.drop_table("field_schemas")
    op.drop_column("knowledges", "expected_fields")
