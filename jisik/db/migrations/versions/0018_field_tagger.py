"""Field taggers in the model registry: a version's kind and knowledge base, and each knowledge base's
tagger aliases (champion, challenger, previous).

Revision ID: 0018_field_tagger
Revises: 0017_training
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = '0018_field_tagger'
down_revision = '0017_training'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('ml_model_versions', sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False,
                                                 server_default='retrieval'))
    op.add_column('ml_model_versions', sa.Column('knowledge_base_id', sqlmodel.sql.sqltypes.AutoString(length=36),
                                                 nullable=False, server_default=''))
    op.create_table('ml_tagger_aliases',
    sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('knowledge_base_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('alias', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('version_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['knowledge_base_id'], ['knowledge_bases.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['ml_model_versions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'knowledge_base_id', 'alias')
    )


def downgrade() -> None:
    op.drop_table('ml_tagger_aliases')
    op.drop_column('ml_model_versions', 'knowledge_base_id')
    op.drop_column('ml_model_versions', 'kind')
