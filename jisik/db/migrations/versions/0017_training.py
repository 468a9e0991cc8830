"""Own models per tenant: answer feedback, uploaded labelled pairs, PII-masked training snapshots,
training jobs, registered model versions with metrics and artifact checksums, their aliases
(champion / challenger), the canary rollout and the online serving signals.

Revision ID: 0017_training
Revises: 0016_session_owner
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0017_training'
down_revision = '0016_session_owner'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ml_labelled_pairs',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('query', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('passage', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('label', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_ml_labelled_pairs_tenant_id'), 'ml_labelled_pairs', ['tenant_id'], unique=False)
    op.create_table('ml_model_versions',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('snapshot_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('job_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('metrics', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('champion_metrics', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('artifact', sa.LargeBinary(), nullable=False),
    sa.Column('artifact_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('training_s', sa.Float(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('tenant_id', 'version', name='uq_ml_model_versions_tenant_version')
    )
    op.create_index(op.f('ix_ml_model_versions_tenant_id'), 'ml_model_versions', ['tenant_id'], unique=False)
    op.create_table('ml_rollouts',
    sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('previous_version_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('breach_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id')
    )
    op.create_table('ml_serving_signals',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('version_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('latency_ms', sa.Float(), nullable=False),
    sa.Column('no_answer', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_ml_serving_signals_tenant_id'), 'ml_serving_signals', ['tenant_id'], unique=False)
    op.create_index('ix_ml_serving_signals_tenant_time', 'ml_serving_signals', ['tenant_id', 'created_at'], unique=False)
    op.create_table('ml_snapshots',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('counts', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_ml_snapshots_tenant_id'), 'ml_snapshots', ['tenant_id'], unique=False)
    op.create_table('ml_training_jobs',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('progress', sa.Float(), nullable=False),
    sa.Column('logs', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('parameters', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('snapshot_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('version_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('cancel_requested', sa.Boolean(), nullable=False),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_ml_training_jobs_status', 'ml_training_jobs', ['status', 'heartbeat_at'], unique=False)
    op.create_index(op.f('ix_ml_training_jobs_tenant_id'), 'ml_training_jobs', ['tenant_id'], unique=False)
    op.create_table('ml_model_aliases',
    sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('alias', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('version_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['ml_model_versions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'alias')
    )
    op.create_table('ml_feedback',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('session_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('citation', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('query', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('chunk_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('passage', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('model_version_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('message_id', 'citation', name='uq_ml_feedback_message_citation')
    )
    op.create_index(op.f('ix_ml_feedback_tenant_id'), 'ml_feedback', ['tenant_id'], unique=False)




def downgrade() -> None:
    op.drop_index(op.f('ix_ml_feedback_tenant_id'), table_name='ml_feedback')
    op.drop_table('ml_feedback')
    op.drop_table('ml_model_aliases')
    op.drop_index(op.f('ix_ml_training_jobs_tenant_id'), table_name='ml_training_jobs')
    op.drop_index('ix_ml_training_jobs_status', table_name='ml_training_jobs')
    op.drop_table('ml_training_jobs')
    op.drop_index(op.f('ix_ml_snapshots_tenant_id'), table_name='ml_snapshots')
    op.drop_table('ml_snapshots')
    op.drop_index('ix_ml_serving_signals_tenant_time', table_name='ml_serving_signals')
    op.drop_index(op.f('ix_ml_serving_signals_tenant_id'), table_name='ml_serving_signals')
    op.drop_table('ml_serving_signals')
    op.drop_table('ml_rollouts')
    op.drop_index(op.f('ix_ml_model_versions_tenant_id'), table_name='ml_model_versions')
    op.drop_table('ml_model_versions')
    op.drop_index(op.f('ix_ml_labelled_pairs_tenant_id'), table_name='ml_labelled_pairs')
    op.drop_table('ml_labelled_pairs')
