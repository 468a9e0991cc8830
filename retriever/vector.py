"""The vector channel: cosine similarity through pgvector's HNSW index, over the index's own embeddings
or over a fine-tuned bi-encoder version's vectors of the same chunks (``retriever_version_vectors``)."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
import numpy as np

from .filters import filter_sql, ranked
from .types import ChannelHit, Filters

__all__ = ["HnswOptions", "VectorChannel"]


@dataclass(frozen=True)
class HnswOptions:
    ef_search: int = 100
    iterative_scan: str = "strict_order"
    max_scan_tuples: int = 20_000


class VectorChannel:
    """Cosine similarity (1 - cosine distance) through the HNSW index with pgvector 0.8 iterative scans."""

    def __init__(self, options: HnswOptions) -> None:
        self._options = options

    async def search(
        self, connection: asyncpg.Connection, vector: np.ndarray, filters: Filters, *, limit: int, threshold: float,
        space: str = "",
    ) -> list[ChannelHit]:
        """Nearest chunks to ``vector``; with ``space`` (a model version id) among that version's vectors,
        which carry the tenant too, so a version of another tenant finds nothing."""
        params: list[object] = []
        where = filter_sql(filters, params)
        if space:
            params.append(space)
            source = (f"retriever_version_vectors v JOIN retriever_chunks c ON c.id = v.chunk_ref "
                      f"AND v.version_id = ${len(params)} AND v.tenant_id = c.tenant_id")
            column = "v.embedding"
        else:
            source, column = "retriever_chunks c", "c.embedding"
        params += [vector, limit]
        vector_p, limit_p = f"${len(params) - 1}", f"${len(params)}"
        async with connection.transaction(readonly=True):
            # Iterative scans keep walking the graph until ``limit`` rows pass the filters.
            await connection.execute(
                """
                SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', $2, true),
                       set_config('hnsw.max_scan_tuples', $3, true)
                """,
                str(max(self._options.ef_search, limit)), self._options.iterative_scan,
                str(self._options.max_scan_tuples),
            )
            rows = await connection.fetch(
                f"""
                SELECT c.id, c.chunk_id, 1 - ({column} <=> {vector_p}::vector) AS score
                FROM {source}
                WHERE {where}
                ORDER BY {column} <=> {vector_p}::vector
                LIMIT {limit_p}::int
                """,
                *params,
            )
        return [hit for hit in ranked(rows, descending=True) if hit.score >= threshold]
