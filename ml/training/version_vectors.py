"""A fine-tuned bi-encoder version's vectors of the tenant's chunks (``retriever_version_vectors``) and
whether they are complete.

The retriever's writers lock the tenant's ``retriever_stats`` row and bump its ``generation`` with every
change; these statements take the same lock, so a batch of vectors never races a delete, and the
generation a version is marked complete at is exact: any later write to the tenant's index makes the
version stale (its new chunks have no vectors yet) until the missing ones are embedded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from jisik.db.models import ModelVersion

__all__ = ["Missing", "count_missing", "generation", "is_complete", "lock_index", "mark", "missing", "store"]


@dataclass(frozen=True, slots=True)
class Missing:
    refs: list[int]
    titles: list[str]
    contents: list[str]


async def lock_index(session: AsyncSession, tenant_id: str) -> None:
    """Wait for the tenant's index writers and keep them out until the transaction ends."""
    await session.execute(text("INSERT INTO retriever_stats (tenant_id) VALUES (:t) ON CONFLICT (tenant_id) DO NOTHING"),
                          {"t": tenant_id})
    await session.execute(text("SELECT 1 FROM retriever_stats WHERE tenant_id = :t FOR UPDATE"), {"t": tenant_id})


async def generation(session: AsyncSession, tenant_id: str) -> int:
    """The tenant's index generation (0 before its first write)."""
    value = await session.scalar(text("SELECT generation FROM retriever_stats WHERE tenant_id = :t"), {"t": tenant_id})
    return int(value or 0)


def is_complete(version: ModelVersion, index_generation: int) -> bool:
    """The version's vectors cover the tenant's index as it is now."""
    return version.vectors_state == "ready" and version.vectors_generation == index_generation


async def count_missing(session: AsyncSession, tenant_id: str, version_id: str) -> int:
    return int(await session.scalar(text(
        "SELECT count(*) FROM retriever_chunks c WHERE c.tenant_id = :t AND NOT EXISTS "
        "(SELECT 1 FROM retriever_version_vectors v WHERE v.version_id = :v AND v.chunk_ref = c.id)"
    ), {"t": tenant_id, "v": version_id}) or 0)


async def missing(session: AsyncSession, tenant_id: str, version_id: str, limit: int) -> Missing:
    """Up to ``limit`` of the tenant's chunks the version has no vector of, oldest first."""
    rows = (await session.execute(text(
        "SELECT c.id, c.title, c.content FROM retriever_chunks c WHERE c.tenant_id = :t AND NOT EXISTS "
        "(SELECT 1 FROM retriever_version_vectors v WHERE v.version_id = :v AND v.chunk_ref = c.id) "
        "ORDER BY c.id LIMIT :n"
    ), {"t": tenant_id, "v": version_id, "n": limit})).all()
    return Missing([row[0] for row in rows], [row[1] for row in rows], [row[2] for row in rows])


def _literal(vector: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in vector) + "]"


async def store(session: AsyncSession, tenant_id: str, version_id: str, refs: Sequence[int],
                vectors: np.ndarray) -> int:
    """Store the vectors of chunks that still exist (a chunk deleted meanwhile is skipped); call under
    ``lock_index``. Returns the rows written."""
    result = await session.execute(text(
        "INSERT INTO retriever_version_vectors (version_id, chunk_ref, tenant_id, embedding) "
        "SELECT :v, c.id, c.tenant_id, CAST(x.e AS vector) "
        "FROM unnest(CAST(:refs AS bigint[]), CAST(:vectors AS text[])) AS x(ref, e) "
        "JOIN retriever_chunks c ON c.id = x.ref AND c.tenant_id = :t "
        "ON CONFLICT (version_id, chunk_ref) DO NOTHING"
    ), {"v": version_id, "t": tenant_id, "refs": list(refs), "vectors": [_literal(v) for v in vectors]})
    return int(getattr(result, "rowcount", 0) or 0)


async def mark(session: AsyncSession, version_id: str, state: str, index_generation: int | None = None) -> None:
    values: dict[str, object] = {"vectors_state": state}
    if index_generation is not None:
        values["vectors_generation"] = index_generation
    await session.execute(update(ModelVersion).where(col(ModelVersion.id) == version_id).values(**values))
