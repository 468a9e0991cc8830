"""A tenant's passages in memory for training and evaluation: ids, texts, titles, stored vectors and a
BM25 index, with the three rankings jisik serves (vector, hybrid by reciprocal-rank fusion, and hybrid
reranked by a tuned bundle)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .bundle import TunedBundle
from .features import Candidate, candidate_features
from .tokens import tokens

__all__ = ["Corpus", "RRF_K", "RERANK_DEPTH"]

RRF_K = 60
RERANK_DEPTH = 20


@dataclass
class Corpus:
    ids: list[str]
    texts: list[str]
    titles: list[str]
    vectors: np.ndarray  # [n, d] float32, L2-normalised
    _postings: dict[str, list[tuple[int, int]]] = field(default_factory=dict, repr=False)
    _lengths: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    _position: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        lengths = []
        for i, (title, text) in enumerate(zip(self.titles, self.texts, strict=True)):
            terms = tokens(f"{title}\n{text}")
            lengths.append(len(terms))
            for term, count in Counter(terms).items():
                postings[term].append((i, count))
        self._postings = dict(postings)
        self._lengths = np.asarray(lengths, dtype=np.float64)
        self._position = {chunk_id: i for i, chunk_id in enumerate(self.ids)}

    def __len__(self) -> int:
        return len(self.ids)

    def index_of(self, chunk_id: str) -> int | None:
        return self._position.get(chunk_id)

    def bm25(self, query: str) -> np.ndarray:
        scores = np.zeros(len(self.ids), dtype=np.float64)
        average = self._lengths.mean() if len(self._lengths) else 1.0
        for term in set(tokens(query)):
            postings = self._postings.get(term)
            if not postings:
                continue
            idf = math.log(1 + (len(self.ids) - len(postings) + 0.5) / (len(postings) + 0.5))
            for i, tf in postings:
                scores[i] += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * self._lengths[i] / average))
        return scores

    def vector_ranking(self, query_vector: np.ndarray, k: int) -> list[int]:
        scores = self.vectors @ query_vector
        return [int(i) for i in np.argsort(-scores, kind="stable")[:k]]

    def hybrid_ranking(self, query: str, query_vector: np.ndarray, k: int) -> list[int]:
        """Reciprocal-rank fusion of the vector and BM25 rankings (each cut at 100)."""
        fused: dict[int, float] = defaultdict(float)
        for rank, i in enumerate(self.vector_ranking(query_vector, 100)):
            fused[i] += 1 / (RRF_K + rank + 1)
        keyword = self.bm25(query)
        for rank, i in enumerate(np.argsort(-keyword, kind="stable")[:100]):
            if keyword[i] > 0:
                fused[int(i)] += 1 / (RRF_K + rank + 1)
        return sorted(fused, key=lambda i: (-fused[i], i))[:k]

    def candidates(self, ranking: Sequence[int]) -> list[Candidate]:
        return [Candidate(self.texts[i], self.titles[i], self.vectors[i], rank) for rank, i in enumerate(ranking)]

    def features(self, query: str, query_vector: np.ndarray, adapted_vector: np.ndarray,
                 ranking: Sequence[int]) -> np.ndarray:
        return candidate_features(query, query_vector, adapted_vector, self.candidates(ranking))

    def reranked_ranking(self, query: str, query_vector: np.ndarray, bundle: TunedBundle, k: int) -> list[int]:
        """The hybrid ranking with the adapted vector, its first ``RERANK_DEPTH`` reordered by the reranker."""
        adapted = bundle.adapt(query_vector)
        ranking = self.hybrid_ranking(query, adapted, RERANK_DEPTH)
        scores = bundle.reranker.score(self.features(query, query_vector, adapted, ranking))
        order = np.argsort(-scores, kind="stable")
        return [ranking[i] for i in order][:k]
