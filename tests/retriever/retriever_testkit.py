"""Helpers for the retriever tests: deterministic unit vectors, chunk builders, fresh tenant ids."""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Sequence

import numpy as np

from retriever.types import ChunkInput

DIM = 384


def unit_vector(seed: int | str) -> np.ndarray:
    """A deterministic random unit vector."""
    rng = np.random.default_rng(zlib.crc32(seed.encode()) if isinstance(seed, str) else seed)
    vector = rng.standard_normal(DIM).astype(np.float32)
    return vector / np.linalg.norm(vector)


def chunk(
    chunk_id: str,
    content: str,
    *,
    kb: str = "kb-1",
    knowledge: str = "k-1",
    vector: np.ndarray | None = None,
    acl: Sequence[str] = (),
    seq: int = 0,
    title: str = "",
) -> ChunkInput:
    return ChunkInput(
        chunk_id=chunk_id,
        knowledge_base_id=kb,
        knowledge_id=knowledge,
        content=content,
        embedding=unit_vector(chunk_id) if vector is None else vector,
        acl_principals=tuple(acl),
        seq=seq,
        title=title,
        metadata={"title": chunk_id},
    )


def new_tenant() -> str:
    return f"tenant-{uuid.uuid4().hex[:12]}"




async def assert_statistics_match_rows(pool: object, tenant_id: str) -> None:
    """The tenant's corpus statistics and document frequencies equal a recount from its rows."""
    async with pool.acquire() as connection:  # type: ignore[attr-defined]  # pool is an asyncpg pool, passed as object (asyncpg is untyped)
        stats = await connection.fetchrow(
            "SELECT doc_count, total_len, sentence_count, sentence_len FROM retriever_stats WHERE tenant_id = $1",
            tenant_id,
        )
        recount = await connection.fetchrow(
            """
            SELECT count(*) AS n, coalesce(sum(token_count), 0) AS len,
                   coalesce(sum(jsonb_array_length(sentence_tokens::jsonb)), 0) AS sentences,
                   coalesce(sum((SELECT sum(jsonb_array_length(s)) FROM jsonb_array_elements(sentence_tokens::jsonb) s)), 0)
                       AS sentence_len
            FROM retriever_chunks WHERE tenant_id = $1
            """,
            tenant_id,
        )
        stored = {r["term"]: r["df"] for r in await connection.fetch(
            "SELECT term, df FROM retriever_terms WHERE tenant_id = $1", tenant_id)}
        counted = {r["term"]: r["n"] for r in await connection.fetch(
            "SELECT term, count(*) AS n FROM retriever_postings WHERE tenant_id = $1 GROUP BY term", tenant_id)}
    assert tuple(stats.values()) == (recount["n"], recount["len"], recount["sentences"], recount["sentence_len"])
    assert stored == counted
