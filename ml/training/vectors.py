"""Reading the stored e5 vectors of a tenant's chunks from the retriever's index (read only: the
retriever owns the table; a tuned model re-uses its vectors instead of re-embedding anything)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from .corpus import Corpus

__all__ = ["load_corpus", "stored_vectors"]

_CORPUS = text(
    "SELECT chunk_id, content, title, embedding::text FROM retriever_chunks "
    "WHERE tenant_id = :tenant_id AND enabled ORDER BY chunk_id"
)
_VECTORS = text(
    "SELECT chunk_id, embedding::text FROM retriever_chunks WHERE tenant_id = :tenant_id AND chunk_id = ANY(:ids)"
)


def _parse(vector: str) -> np.ndarray:
    return np.fromstring(vector.strip("[]"), sep=",", dtype=np.float32)


async def load_corpus(session: AsyncSession, tenant_id: str) -> Corpus:
    rows = (await session.execute(_CORPUS, {"tenant_id": tenant_id})).all()
    vectors = np.stack([_parse(row[3]) for row in rows]) if rows else np.zeros((0, 384), dtype=np.float32)
    return Corpus([row[0] for row in rows], [row[1] for row in rows], [row[2] for row in rows], vectors)


async def stored_vectors(session: AsyncSession, tenant_id: str, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
    """The stored vector of each of ``chunk_ids`` the index holds for the tenant."""
    rows = await session.execute(_VECTORS, {"tenant_id": tenant_id, "ids": list(chunk_ids)})
    return {chunk_id: _parse(vector) for chunk_id, vector in rows}
