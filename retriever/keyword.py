"""The keyword channel: Okapi BM25 over the postings table, in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import asyncpg

from .bm25 import BM25Params, CorpusStats, query_weights
from .filters import filter_sql, ranked
from .sentences import blend, sentence_scores
from .types import ChannelHit, Filters

__all__ = ["KeywordChannel"]


# A query term in more than this share of the tenant's chunks does not generate candidates on its own
# (its long postings list is read only for the chunks a rarer term found), as long as that provably
# cannot change the top-k; otherwise the search reads every postings list.
COMMON_TERM_SHARE = 0.05


def _common_terms(weights: dict[str, float], dfs: dict[str, int], doc_count: int) -> frozenset[str]:
    """Query terms left out of candidate generation: the frequent ones, never all of them, and none when
    a weight is negative (then a missing term could raise a score and no upper bound holds)."""
    if any(weight <= 0 for weight in weights.values()):
        return frozenset()
    by_df = sorted(weights, key=lambda term: (dfs[term], term))
    return frozenset(term for term in by_df[1:] if dfs[term] > COMMON_TERM_SHARE * doc_count)


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
        # Statistics, document frequencies and postings must come from one snapshot.
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
            common = _common_terms(weights, dfs, stats.doc_count)
            if common:
                # Every chunk outside the candidates scores below ``bound``; if the candidates' last
                # hit beats it (or the threshold excludes it), no other chunk can enter the top-k.
                bound = (self._params.k1 + 1) * sum(weights[term] for term in common)
                rare = sorted(set(weights) - common)
                rows = await self._fetch(connection, weights, filters, stats, depth, threshold, rare)
                if not (bound <= threshold or (len(rows) == depth and rows[-1]["score"] > bound)):
                    rows = await self._fetch(connection, weights, filters, stats, depth, threshold, None)
            else:
                rows = await self._fetch(connection, weights, filters, stats, depth, threshold, None)
            hits = ranked(rows, descending=True)
            if sentence_weight <= 0 or not stats.sentence_count:
                return [replace(hit, bm25_score=hit.score) for hit in hits]
            scores = await sentence_scores(
                connection, filters.tenant_id, [hit.ref for hit in hits], weights, stats.avg_sentence_len, self._params
            )
        return blend(hits, scores, sentence_weight, limit)

    async def _fetch(
        self,
        connection: asyncpg.Connection,
        weights: dict[str, float],
        filters: Filters,
        stats: CorpusStats,
        limit: int,
        threshold: float,
        candidate_terms: list[str] | None,
    ) -> list[asyncpg.Record]:
        """The best ``limit`` chunks passing ``filters``, scored over all query terms: among chunks that
        hold one of ``candidate_terms``, or among all chunks holding any query term when it is None."""
        terms = sorted(weights)
        params: list[object] = []
        where = filter_sql(filters, params)
        first = len(params) + 1
        params += [terms, [weights[term] for term in terms], self._params.k1, self._params.b, stats.avgdl,
                   threshold, limit]
        terms_p, weights_p, k1_p, b_p, avgdl_p, threshold_p, limit_p = (f"${first + i}" for i in range(7))
        if candidate_terms is None:
            source = f"unnest({terms_p}::text[], {weights_p}::float8[]) AS q(term, weight)"
            postings = "JOIN retriever_postings p ON p.tenant_id = $1 AND p.term = q.term"
            candidates = ""
        else:
            params.append(candidate_terms)
            # Few candidates: each query term is probed per candidate through the postings' primary key.
            candidates = f"""
                candidates AS MATERIALIZED (
                    SELECT DISTINCT chunk_ref FROM retriever_postings
                    WHERE tenant_id = $1 AND term = ANY(${len(params)}::text[])
                ),"""
            source = f"candidates k CROSS JOIN unnest({terms_p}::text[], {weights_p}::float8[]) AS q(term, weight)"
            postings = "JOIN retriever_postings p ON p.tenant_id = $1 AND p.term = q.term AND p.chunk_ref = k.chunk_ref"
        # Score from the postings alone, then walk candidates best first through the filters until
        # ``limit`` pass: the join stops early instead of checking every candidate.
        return await connection.fetch(
            f"""
            WITH {candidates} scored AS MATERIALIZED (
                SELECT p.chunk_ref, sum(
                    q.weight * p.tf * ({k1_p}::float8 + 1)
                    / (p.tf + {k1_p}::float8 * (1 - {b_p}::float8 + {b_p}::float8 * p.doc_len / {avgdl_p}::float8))
                ) AS score
                FROM {source}
                {postings}
                GROUP BY p.chunk_ref
            )
            SELECT c.id, c.chunk_id, s.score
            FROM (SELECT * FROM scored WHERE score >= {threshold_p}::float8 ORDER BY score DESC, chunk_ref) s
            JOIN LATERAL (SELECT * FROM retriever_chunks c WHERE c.id = s.chunk_ref AND {where}) c ON true
            ORDER BY s.score DESC, s.chunk_ref
            LIMIT {limit_p}::int
            """,
            *params,
        )
