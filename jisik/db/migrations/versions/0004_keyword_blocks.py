"""Packed postings for the keyword channel: each term's postings of a tenant as blocks of up to 1,024
fixed-width records (chunk ref int64, tf int32, chunk length int32, big-endian) ascending by chunk ref.

A frequent term's list is then a few rows instead of one row per chunk (see retriever/blocks.py).
Existing postings are packed here, and ``retriever_postings`` is re-keyed by chunk: only deletes read
it now, by chunk, so its large (tenant, term, chunk) index goes. Blocks are stored uncompressed: they
hardly compress, and decompressing on every read would cost more than it saves.

Revision ID: 0004_keyword_blocks
Revises: 0003_retriever_sentences
"""

from __future__ import annotations

from alembic import op

revision = "0004_keyword_blocks"
down_revision = "0003_retriever_sentences"
branch_labels = None
depends_on = None

BLOCK_SIZE = 1024  # retriever.blocks.BLOCK_SIZE at the time of this migration

UPGRADE = f"""
CREATE TABLE retriever_blocks (
    tenant_id text    NOT NULL,
    term      text    NOT NULL,
    first_ref bigint  NOT NULL,
    size      integer NOT NULL CHECK (size > 0),
    data      bytea   NOT NULL,
    PRIMARY KEY (tenant_id, term, first_ref)
);
ALTER TABLE retriever_blocks ALTER COLUMN data SET STORAGE EXTERNAL;

INSERT INTO retriever_blocks (tenant_id, term, first_ref, size, data)
SELECT tenant_id, term, min(chunk_ref), count(*),
       string_agg(int8send(chunk_ref) || int4send(tf) || int4send(doc_len), ''::bytea ORDER BY chunk_ref)
FROM (
    SELECT tenant_id, term, chunk_ref, tf, doc_len,
           (row_number() OVER (PARTITION BY tenant_id, term ORDER BY chunk_ref) - 1) / {BLOCK_SIZE} AS block
    FROM retriever_postings
) numbered
GROUP BY tenant_id, term, block;

-- Nothing looks postings up by term any more: they are the per-chunk record that deletes read
-- (which terms, to lower document frequencies and rewrite blocks), so they are keyed by chunk.
ALTER TABLE retriever_postings DROP CONSTRAINT retriever_postings_pkey;
DROP INDEX ix_retriever_postings_chunk;
ALTER TABLE retriever_postings ADD PRIMARY KEY (chunk_ref, term);
"""

DOWNGRADE = """
ALTER TABLE retriever_postings DROP CONSTRAINT retriever_postings_pkey;
ALTER TABLE retriever_postings ADD PRIMARY KEY (tenant_id, term, chunk_ref) INCLUDE (tf, doc_len);
CREATE INDEX ix_retriever_postings_chunk ON retriever_postings (chunk_ref);
DROP TABLE IF EXISTS retriever_blocks;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute(DOWNGRADE)
