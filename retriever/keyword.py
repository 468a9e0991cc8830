"""The keyword channel: Okapi BM25 over the packed postings (retriever/blocks.py), scored with numpy.

Every postings list of the query terms is read whole and every chunk holding a query term is scored,
so the ranking is exact by construction. Candidates are then checked against the filters best first,
a window at a time, until ``limit`` pass.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace

import asyncpg
import numpy as np

from .blocks import POSTING
from .bm25 import BM25Params, CorpusStats, query_weights
from .filters import filter_sql, ranked
from .sentences import blend, sentence_scores
from .types import ChannelHit, Filters

__all__ = ["KeywordChannel", "Scores", "score_postings"]

# Candidates checked against the filters in the first round, as a multiple of ``limit``.
WINDOW = 4
# Chunk refs are summed in a dense array when their span is at most this many slots per posting
# (or DENSE_MIN_SPAN), else by sorting: memory stays proportional to the postings read.
DENSE_SLOTS = 8
DENSE_MIN_SPAN = 1 << 16


class Scores:
    """BM25 scores of the chunks holding a query term: ``refs`` with their ``values``, in no order;
    ``best`` orders a prefix."""

    def __init__(self, refs: np.ndarray, values: np.ndarray) -> None:
        self.refs = refs
        self.values = values

    def __len__(self) -> int:
        return len(self.refs)

    def best(self, count: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``count`` best (or all, with every tie of the last one), ordered by score then ref."""
        if count < len(self.values):
            kth = np.partition(self.values, len(self.values) - count)[len(self.values) - count]
            picked = np.flatnonzero(self.values >= kth)
        else:
            picked = np.arange(len(self.values))
        order = picked[np.lexsort((self.refs[picked], -self.values[picked]))]
        return self.refs[order], self.values[order]


def score_postings(
    blocks: Sequence[tuple[float, bytes]], stats: CorpusStats, params: BM25Params, threshold: float
) -> Scores:
    """Sum ``weight * term_score`` per chunk over (query-term weight, packed block) pairs."""
    if not blocks:
        return Scores(np.empty(0, np.int64), np.empty(0))
    records = np.frombuffer(b"".join(data for _, data in blocks), dtype=POSTING)
    weights = np.repeat([weight for weight, _ in blocks], [len(data) // POSTING.itemsize for _, data in blocks])
    tf = records["tf"].astype(np.float64)
    norm = params.k1 * (1 - params.b + params.b * records["len"].astype(np.float64) / stats.avgdl)
    contributions = weights * tf * (params.k1 + 1) / (tf + norm)
    refs = records["ref"].astype(np.int64)
    low = int(refs.min())
    span = int(refs.max()) - low + 1
    if span <= max(DENSE_MIN_SPAN, DENSE_SLOTS * len(refs)):
        offsets = refs - low
        present = np.zeros(span, dtype=bool)
        present[offsets] = True
        totals = np.bincount(offsets, weights=contributions, minlength=span)
        unique = np.flatnonzero(present)
        values = totals[unique]
        unique += low
    else:
        unique, inverse = np.unique(refs, return_inverse=True)
        values = np.bincount(inverse, weights=contributions)
    keep = values >= threshold
    return Scores(unique[keep], values[keep])


class KeywordChannel:
    """Okapi BM25 over the tenant's whole corpus, equal to ``rank_bm25.BM25Okapi`` on the same tokens;
    with a sentence weight, BM25's best ``sentence_depth`` candidates are re-ranked with sentence evidence."""

    def __init__(self, params: BM25Params, *, sentence_depth: int = 50) -> None:
        self._params = params
        self._sentence_depth = sentence_depth
        self._mean_idf: dict[str, tuple[int, float]] = {}

    async def _stats(self, connection: asyncpg.Connection, tenant_id: str) -> CorpusStats | None:
        row = await connection.fetchrow(
            """
            SELECT doc_count, total_len, generation, sentence_count, sentence_len
            FROM retriever_stats WHERE tenant_id = $1
            """,
            tenant_id,
        )
        if row is None or row["doc_count"] == 0:
            return None
        return CorpusStats(
            int(row["doc_count"]), int(row["total_len"]), int(row["generation"]),
            int(row["sentence_count"]), int(row["sentence_len"]),
        )

    async def _mean_idf_of(self, connection: asyncpg.Connection, tenant_id: str, stats: CorpusStats) -> float:
        cached = self._mean_idf.get(tenant_id)
        if cached is not None and cached[0] == stats.generation:
            return cached[1]
        value = await connection.fetchval(
            "SELECT avg(ln($2 - df + 0.5) - ln(df + 0.5)) FROM retriever_terms WHERE tenant_id = $1",
            tenant_id, float(stats.doc_count),
        )
        self._mean_idf[tenant_id] = (stats.generation, float(value))
        return float(value)

    async def search(
        self,
        connection: asyncpg.Connection,
        tokens: Sequence[str],
        filters: Filters,
        *,
        limit: int,
        threshold: float,
        sentence_weight: float = 0.0,
    ) -> list[ChannelHit]:
        """The best ``limit`` chunks by BM25 (whose score reaches ``threshold``), re-ranked by
        ``(1 - sentence_weight) * bm25 + sentence_weight * best sentence`` when the weight is positive."""
        if not tokens:
            return []
        depth = max(limit, self._sentence_depth) if sentence_weight > 0 else limit
        # Statistics, document frequencies, postings and filters must come from one snapshot.
        async with connection.transaction(isolation="repeatable_read", readonly=True):
            stats = await self._stats(connection, filters.tenant_id)
            if stats is None:
                return []
            dfs = {
                row["term"]: int(row["df"])
                for row in await connection.fetch(
                    "SELECT term, df FROM retriever_terms WHERE tenant_id = $1 AND term = ANY($2::text[])",
                    filters.tenant_id, sorted(set(tokens)),
                )
            }

            async def mean_idf() -> float:
                return await self._mean_idf_of(connection, filters.tenant_id, stats)

            weights = await query_weights(tokens, dfs, stats.doc_count, self._params, mean_idf)
            if not weights:
                return []
            blocks = await connection.fetch(
                "SELECT term, data FROM retriever_blocks WHERE tenant_id = $1 AND term = ANY($2::text[])",
                filters.tenant_id, sorted(weights),
            )
            # Off the event loop: a frequent term means hundreds of thousands of postings.
            scores = await asyncio.to_thread(
                score_postings, [(weights[row["term"]], row["data"]) for row in blocks], stats, self._params, threshold
            )
            hits = ranked(await self._passing(connection, scores, filters, depth), descending=True)
            if sentence_weight <= 0 or not stats.sentence_count:
                return [replace(hit, bm25_score=hit.score) for hit in hits]
            evidence = await sentence_scores(
                connection, filters.tenant_id, [hit.ref for hit in hits], weights, stats.avg_sentence_len, self._params
            )
        return blend(hits, evidence, sentence_weight, limit)

    async def _passing(
        self, connection: asyncpg.Connection, scores: Scores, filters: Filters, limit: int
    ) -> list[dict[str, object]]:
        """The best ``limit`` scored chunks that pass ``filters``."""
        params: list[object] = []
        where = filter_sql(filters, params)
        query = f"SELECT c.id, c.chunk_id FROM retriever_chunks c WHERE c.id = ANY(${len(params) + 1}::bigint[]) AND {where}"
        found: list[dict[str, object]] = []
        checked = passed = 0
        window = limit * WINDOW
        while checked < len(scores) and len(found) < limit:
            refs, values = scores.best(checked + window)
            refs, values = refs[checked:], values[checked:]
            passing = {
                row["id"]: row["chunk_id"] for row in await connection.fetch(query, *params, refs.tolist())
            }
            for ref, value in zip(refs.tolist(), values.tolist(), strict=True):
                if ref in passing and len(found) < limit:
                    found.append({"id": ref, "chunk_id": passing[ref], "score": value})
            checked += len(refs)
            passed += len(passing)
            # The next window doubles, or more when the filters pass few: selective filters take few rounds.
            window = max(2 * window, 2 * (limit - len(found)) * checked // max(passed, 1))
        return found
