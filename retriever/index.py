"""Writes to the index: chunk rows, BM25 postings, document frequencies and corpus statistics, all in one
transaction per call. Each transaction first locks the tenant's statistics row, so writers of one
tenant run one after another and the statistics always match the rows.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from . import blocks
from .types import ChunkInput

__all__ = ["AnalyzedChunk", "IndexWriter", "Selector"]


@dataclass(frozen=True)
class AnalyzedChunk:
    """A chunk with its analyzer tokens: per sentence of the content, and of its title."""

    chunk: ChunkInput
    sentences: Sequence[Sequence[str]]
    title_tokens: Sequence[str] = ()

    @property
    def tokens(self) -> list[str]:
        """The BM25 document: the title's tokens and the content's."""
        return [*self.title_tokens, *(token for sentence in self.sentences for token in sentence)]

    @property
    def sentence_len(self) -> int:
        return sum(len(sentence) for sentence in self.sentences)


@dataclass(frozen=True)
class Selector:
    """Which chunks a delete removes: exactly one of the three tuples is non-empty."""

    chunk_ids: tuple[str, ...] = ()
    knowledge_ids: tuple[str, ...] = ()
    knowledge_base_ids: tuple[str, ...] = ()


_CHUNK_COLUMNS = (
    "id", "tenant_id", "chunk_id", "knowledge_base_id", "knowledge_id", "content", "metadata",
    "acl_principals", "enabled", "seq", "start_at", "end_at", "token_count", "embedding", "title",
    "sentence_tokens", "sentence_count", "sentence_len",
)
_POSTING_COLUMNS = ("tenant_id", "term", "chunk_ref", "tf", "doc_len")


async def _lock_tenant(connection: asyncpg.Connection, tenant_id: str) -> None:
    await connection.execute(
        "INSERT INTO retriever_stats (tenant_id) VALUES ($1) ON CONFLICT (tenant_id) DO NOTHING", tenant_id
    )
    await connection.execute("SELECT 1 FROM retriever_stats WHERE tenant_id = $1 FOR UPDATE", tenant_id)


async def _remove(connection: asyncpg.Connection, tenant_id: str, refs: list[int]) -> int:
    """Delete chunks by internal id and take them out of the statistics. Returns how many went."""
    if not refs:
        return 0
    await blocks.remove(connection, tenant_id, refs)
    # Terms the removed chunks were the last holders of go first; then the others' counts drop.
    await connection.execute(
        """
        DELETE FROM retriever_terms t USING (
            SELECT term, count(*)::int AS n FROM retriever_postings
            WHERE tenant_id = $1 AND chunk_ref = ANY($2::bigint[]) GROUP BY term
        ) gone
        WHERE t.tenant_id = $1 AND t.term = gone.term AND t.df <= gone.n
        """,
        tenant_id, refs,
    )
    await connection.execute(
        """
        WITH gone AS (
            SELECT term, count(*)::int AS n FROM retriever_postings
            WHERE tenant_id = $1 AND chunk_ref = ANY($2::bigint[]) GROUP BY term
        )
        UPDATE retriever_terms t SET df = t.df - gone.n FROM gone
        WHERE t.tenant_id = $1 AND t.term = gone.term AND t.df > gone.n
        """,
        tenant_id, refs,
    )
    removed = await connection.fetchrow(
        """
        WITH gone AS (
            DELETE FROM retriever_chunks WHERE tenant_id = $1 AND id = ANY($2::bigint[])
            RETURNING token_count, sentence_count, sentence_len
        )
        SELECT count(*)::bigint AS n, coalesce(sum(token_count), 0)::bigint AS len,
               coalesce(sum(sentence_count), 0)::bigint AS sentences,
               coalesce(sum(sentence_len), 0)::bigint AS sentence_len
        FROM gone
        """,
        tenant_id, refs,
    )
    await connection.execute(
        """
        UPDATE retriever_stats SET doc_count = doc_count - $2, total_len = total_len - $3,
               sentence_count = sentence_count - $4, sentence_len = sentence_len - $5,
               generation = generation + 1
        WHERE tenant_id = $1
        """,
        tenant_id, removed["n"], removed["len"], removed["sentences"], removed["sentence_len"],
    )
    return int(removed["n"])


class IndexWriter:
    """Upserts, replaces and deletes chunks of one tenant at a time."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def upsert(
        self, tenant_id: str, chunks: Sequence[AnalyzedChunk], *, replace_knowledge_id: str | None = None
    ) -> int:
        """Insert or replace ``chunks`` by chunk id; with ``replace_knowledge_id`` also drop that
        knowledge's other chunks. Everything commits together or not at all."""
        chunk_ids = [item.chunk.chunk_id for item in chunks]
        async with self._pool.acquire() as connection, connection.transaction():
            await _lock_tenant(connection, tenant_id)
            old = await connection.fetch(
                "SELECT id FROM retriever_chunks WHERE tenant_id = $1 AND chunk_id = ANY($2::text[])",
                tenant_id, chunk_ids,
            )
            if replace_knowledge_id is not None:
                old += await connection.fetch(
                    "SELECT id FROM retriever_chunks WHERE tenant_id = $1 AND knowledge_id = $2",
                    tenant_id, replace_knowledge_id,
                )
            await _remove(connection, tenant_id, sorted({row["id"] for row in old}))
            if chunks:
                await self._insert(connection, tenant_id, chunks)
        return len(chunks)

    async def _insert(self, connection: asyncpg.Connection, tenant_id: str, chunks: Sequence[AnalyzedChunk]) -> None:
        knowledge_ids = sorted({item.chunk.knowledge_id for item in chunks})
        access = {
            row["knowledge_id"]: (list(row["acl_principals"]), row["enabled"])
            for row in await connection.fetch(
                """
                SELECT knowledge_id, acl_principals, enabled FROM retriever_knowledge_access
                WHERE tenant_id = $1 AND knowledge_id = ANY($2::text[])
                """,
                tenant_id, knowledge_ids,
            )
        }
        refs = [
            row[0]
            for row in await connection.fetch(
                "SELECT nextval(pg_get_serial_sequence('retriever_chunks', 'id')) FROM generate_series(1, $1)",
                len(chunks),
            )
        ]
        chunk_rows = []
        posting_rows: list[tuple[str, str, int, int, int]] = []
        packed: dict[str, list[tuple[int, int, int]]] = {}
        document_frequency: Counter[str] = Counter()
        total_len = 0
        for ref, item in zip(refs, chunks, strict=True):
            chunk = item.chunk
            acl, enabled = access.get(chunk.knowledge_id, (list(chunk.acl_principals), True))
            tokens = item.tokens
            length = len(tokens)
            total_len += length
            chunk_rows.append((
                ref, tenant_id, chunk.chunk_id, chunk.knowledge_base_id, chunk.knowledge_id, chunk.content,
                json.dumps(chunk.metadata, ensure_ascii=False), acl, enabled, chunk.seq, chunk.start, chunk.end,
                length, chunk.embedding, chunk.title,
                json.dumps([list(sentence) for sentence in item.sentences], ensure_ascii=False),
                len(item.sentences), item.sentence_len,
            ))
            frequencies = Counter(tokens)
            document_frequency.update(frequencies.keys())
            posting_rows.extend((tenant_id, term, ref, tf, length) for term, tf in frequencies.items())
            for term, tf in frequencies.items():
                packed.setdefault(term, []).append((ref, tf, length))
        await connection.copy_records_to_table("retriever_chunks", records=chunk_rows, columns=_CHUNK_COLUMNS)
        await connection.copy_records_to_table("retriever_postings", records=posting_rows, columns=_POSTING_COLUMNS)
        await blocks.append(connection, tenant_id, packed)
        terms = list(document_frequency)
        await connection.execute(
            """
            INSERT INTO retriever_terms (tenant_id, term, df)
            SELECT $1, term, n FROM unnest($2::text[], $3::int[]) AS d(term, n)
            ON CONFLICT (tenant_id, term) DO UPDATE SET df = retriever_terms.df + EXCLUDED.df
            """,
            tenant_id, terms, [document_frequency[term] for term in terms],
        )
        await connection.execute(
            """
            UPDATE retriever_stats SET doc_count = doc_count + $2, total_len = total_len + $3,
                   sentence_count = sentence_count + $4, sentence_len = sentence_len + $5,
                   generation = generation + 1
            WHERE tenant_id = $1
            """,
            tenant_id, len(chunks), total_len,
            sum(len(item.sentences) for item in chunks), sum(item.sentence_len for item in chunks),
        )

    async def delete(self, tenant_id: str, selector: Selector) -> int:
        async with self._pool.acquire() as connection, connection.transaction():
            await _lock_tenant(connection, tenant_id)
            rows = await connection.fetch(
                """
                SELECT id FROM retriever_chunks
                WHERE tenant_id = $1 AND (chunk_id = ANY($2::text[]) OR knowledge_id = ANY($3::text[])
                                          OR knowledge_base_id = ANY($4::text[]))
                """,
                tenant_id, list(selector.chunk_ids), list(selector.knowledge_ids),
                list(selector.knowledge_base_ids),
            )
            return await _remove(connection, tenant_id, [row["id"] for row in rows])

    async def set_access(
        self, tenant_id: str, knowledge_ids: Sequence[str], principals: Sequence[str], enabled: bool
    ) -> int:
        """Record who may read these knowledges and apply it to their chunks (now and when they are
        re-indexed), in one transaction."""
        async with self._pool.acquire() as connection, connection.transaction():
            await _lock_tenant(connection, tenant_id)
            await connection.execute(
                """
                INSERT INTO retriever_knowledge_access (tenant_id, knowledge_id, acl_principals, enabled)
                SELECT $1, knowledge_id, $3, $4 FROM unnest($2::text[]) AS knowledge_id
                ON CONFLICT (tenant_id, knowledge_id)
                DO UPDATE SET acl_principals = EXCLUDED.acl_principals, enabled = EXCLUDED.enabled
                """,
                tenant_id, list(knowledge_ids), list(principals), enabled,
            )
            status = await connection.execute(
                """
                UPDATE retriever_chunks SET acl_principals = $3, enabled = $4
                WHERE tenant_id = $1 AND knowledge_id = ANY($2::text[])
                """,
                tenant_id, list(knowledge_ids), list(principals), enabled,
            )
            return int(status.split()[-1])
