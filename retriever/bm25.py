"""Okapi BM25 exactly as ``rank_bm25.BM25Okapi`` computes it, split into the parts SQL needs.

For a corpus of ``n`` documents, a term in ``df`` of them has ``idf = ln(n - df + 0.5) - ln(df + 0.5)``.
A negative idf (a term in more than half of the documents) is replaced by ``epsilon * mean idf``,
the mean taken over the whole vocabulary. A document of length ``dl`` with ``tf`` occurrences scores
``idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))`` per query token; repeated query tokens
count again. Terms outside the vocabulary contribute nothing.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

__all__ = ["BM25Params", "CorpusStats", "idf", "query_weights", "term_score"]


@dataclass(frozen=True)
class BM25Params:
    k1: float = 1.5
    b: float = 0.75
    epsilon: float = 0.25


@dataclass(frozen=True)
class CorpusStats:
    doc_count: int
    total_len: int
    generation: int
    sentence_count: int = 0
    sentence_len: int = 0

    @property
    def avgdl(self) -> float:
        return self.total_len / self.doc_count if self.doc_count else 0.0

    @property
    def avg_sentence_len(self) -> float:
        return self.sentence_len / self.sentence_count if self.sentence_count else 0.0


def idf(df: int, doc_count: int) -> float:
    return math.log(doc_count - df + 0.5) - math.log(df + 0.5)


def term_score(tf: int, doc_len: int, avgdl: float, params: BM25Params) -> float:
    """The part of a term's score that depends on the document (multiply by the term's weight)."""
    return tf * (params.k1 + 1) / (tf + params.k1 * (1 - params.b + params.b * doc_len / avgdl))


async def query_weights(
    tokens: Sequence[str],
    dfs: Mapping[str, int],
    doc_count: int,
    params: BM25Params,
    mean_idf: Callable[[], Awaitable[float]],
) -> dict[str, float]:
    """Weight of each distinct query term: its (floored) idf times how often the query repeats it.

    ``mean_idf`` is awaited only when some query term has a negative idf, since it reads the whole vocabulary.
    """
    counts = Counter(token for token in tokens if token in dfs)
    raw = {term: idf(dfs[term], doc_count) for term in counts}
    if any(value < 0 for value in raw.values()):
        floor = params.epsilon * await mean_idf()
        raw = {term: (floor if value < 0 else value) for term, value in raw.items()}
    return {term: raw[term] * count for term, count in counts.items() if raw[term] != 0}
