"""The lines the field check read from each document, so training a field tagger reads them from the
database instead of opening the original (and running OCR on scans) again.

Revision ID: 0020_document_lines
Revises: 0019_webhook_secrets_sealed
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0020_document_lines'
down_revision = '0019_webhook_secrets_sealed'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'document_lines',
        sa.Column('knowledge_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column('file_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('lines', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['knowledge_id'], ['knowledges.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('knowledge_id'),
    )
    op.create_index(op.f('ix_document_lines_tenant_id'), 'document_lines', ['tenant_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_document_lines_tenant_id'), table_name='document_lines')
    op.drop_table('document_lines')
