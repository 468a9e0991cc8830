"""Vectors of a fine-tuned bi-encoder version: the tenant's chunks embedded with the version, in a table
of their own with its own HNSW index, and the version's re-embedding state.

A row goes with its chunk (a deleted or re-indexed chunk drops its vectors) and with its version. The
version records the index generation (``retriever_stats.generation``) its vectors were complete at: a
later write to the tenant's index makes them stale until the missing chunks are embedded too.

Revision ID: 0021_version_vectors
Revises: 0020_document_lines
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = '0021_version_vectors'
down_revision = '0020_document_lines'
branch_labels = None
depends_on = None

# The width of the fine-tuned bi-encoders (all-MiniLM-L6-v2 and the default embedder both give 384).
EMBEDDING_DIMENSION = 384

UPGRADE = f"""
CREATE TABLE retriever_version_vectors (
    version_id varchar(36) NOT NULL REFERENCES ml_model_versions (id) ON DELETE CASCADE,
    chunk_ref  bigint      NOT NULL REFERENCES retriever_chunks (id) ON DELETE CASCADE,
    tenant_id  text        NOT NULL,
    embedding  vector({EMBEDDING_DIMENSION}) NOT NULL,
    PRIMARY KEY (version_id, chunk_ref)
);
CREATE INDEX ix_retriever_version_vectors_chunk ON retriever_version_vectors (chunk_ref);
CREATE INDEX ix_retriever_version_vectors_embedding ON retriever_version_vectors
    USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);
"""


def upgrade() -> None:
    op.execute(UPGRADE)
    op.add_column('ml_model_versions', sa.Column('vectors_state', sqlmodel.sql.sqltypes.AutoString(length=16),
                                                 nullable=False, server_default=''))
    op.add_column('ml_model_versions', sa.Column('vectors_generation', sa.BigInteger(), nullable=False,
                                                 server_default='-1'))


def downgrade() -> None:
    op.drop_column('ml_model_versions', 'vectors_generation')
    op.drop_column('ml_model_versions', 'vectors_state')
    op.execute("DROP TABLE IF EXISTS retriever_version_vectors")
