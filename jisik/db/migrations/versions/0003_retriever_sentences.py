"""Retriever: document titles and per-sentence tokens for sentence-aware keyword ranking.

Each chunk keeps its title and the analyzer's tokens sentence by sentence (a JSON list of lists), and
the tenant's statistics count sentences and their tokens, so the keyword channel can score a
candidate's best sentence with the same BM25 weights as the whole chunk. Rows indexed before this
revision have no sentences (their sentence score is 0) until they are indexed again.

Revision ID: 0003_retriever_sentences
Revises: 0002_retriever
"""

from __future__ import annotations

from alembic import op

revision = "0003_retriever_sentences"
down_revision = "0002_retriever"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE retriever_chunks
    ADD COLUMN title           text    NOT NULL DEFAULT '',
    ADD COLUMN sentence_tokens text    NOT NULL DEFAULT '[]',
    ADD COLUMN sentence_count  integer NOT NULL DEFAULT 0,
    ADD COLUMN sentence_len    integer NOT NULL DEFAULT 0;
ALTER TABLE retriever_stats
    ADD COLUMN sentence_count bigint NOT NULL DEFAULT 0,
    ADD COLUMN sentence_len   bigint NOT NULL DEFAULT 0;
"""

DOWNGRADE = """
ALTER TABLE retriever_stats DROP COLUMN sentence_len, DROP COLUMN sentence_count;
ALTER TABLE retriever_chunks
    DROP COLUMN sentence_len, DROP COLUMN sentence_count, DROP COLUMN sentence_tokens, DROP COLUMN title;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
