"""The reranker's view of one (question, candidate passage) pair, computed the same way in training,
evaluation and serving.

Features (``FEATURES``): BM25 of the passage within the candidate set (absolute and relative to the
best), sentence evidence (the largest share of the question's terms one sentence holds), term
coverage, title match, the base vector score, the adapter's vector score (each absolute and relative
to the best candidate), and the candidate's search rank. These read the light tokens (words and
Hangul bigrams, ``tokens``).

Topic evidence reads content morphemes (Kiwi, ``ml.answering.terms``) instead: of the question's
terms that are not in the candidate's title, the IDF-weighted share (IDF over the candidate set) that
its best sentence holds, absolute and relative to the best candidate. Most questions name their
article's subject, which every paragraph of that article mentions; what tells those paragraphs apart
is the rest of the question meeting in one sentence. Chosen on article folds of KorQuAD half A (MRR@10
0.960 -> 0.971, bench/training.py).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ml.answering.terms import question_terms, terms

from .tokens import sentences, tokens

__all__ = ["FEATURES", "Candidate", "candidate_features"]

FEATURES = (
    "bm25",
    "bm25_relative",
    "sentence_evidence",
    "term_coverage",
    "title_match",
    "vector",
    "vector_relative",
    "adapter",
    "adapter_relative",
    "search_rank",
    "topic_evidence",
    "topic_evidence_relative",
)

_K1, _B = 1.2, 0.75


@dataclass(frozen=True, slots=True)
class Candidate:
    """A passage to score: its text, its document's title, its stored vector and its search rank (0 = first)."""

    text: str
    title: str
    vector: np.ndarray
    rank: int


# Passages recur across questions (training scores each in many candidate lists; serving sees the same
# chunks again), so their tokens are kept per text. Read-only: callers never change what these return.
@lru_cache(maxsize=16384)
def _token_counts(text: str) -> Counter[str]:
    return Counter(tokens(text))


@lru_cache(maxsize=65536)
def _token_set(text: str) -> frozenset[str]:
    return frozenset(tokens(text))


def _bm25(query: list[str], documents: list[Counter[str]]) -> np.ndarray:
    n = len(documents)
    lengths = [sum(counts.values()) for counts in documents]
    average = sum(lengths) / n or 1.0
    frequency = Counter(term for counts in documents for term in counts)
    scores = np.zeros(n, dtype=np.float64)
    for i, counts in enumerate(documents):
        for term in set(query):
            tf = counts.get(term, 0)
            if not tf:
                continue
            idf = math.log(1 + (n - frequency[term] + 0.5) / (frequency[term] + 0.5))
            scores[i] += idf * tf * (_K1 + 1) / (tf + _K1 * (1 - _B + _B * lengths[i] / average))
    return scores


def _share(terms: set[str], text: str) -> float:
    return len(terms & _token_set(text)) / len(terms) if terms else 0.0


def _idf(query_terms: frozenset[str], documents: list[frozenset[str]]) -> dict[str, float]:
    frequency = Counter(term for doc in documents for term in query_terms & doc)
    n = len(documents)
    return {term: math.log(1 + (n - frequency[term] + 0.5) / (frequency[term] + 0.5)) for term in query_terms}


def _topic_evidence(question: frozenset[str], candidates: Sequence[Candidate]) -> np.ndarray:
    """Per candidate: the IDF-weighted share of the question's terms outside its title held by its best sentence."""
    by_sentence = [[terms(sentence) for sentence in sentences(c.text)] for c in candidates]
    idf = _idf(question, [frozenset().union(*parts) for parts in by_sentence])
    out = np.zeros(len(candidates), dtype=np.float64)
    for i, (candidate, parts) in enumerate(zip(candidates, by_sentence, strict=True)):
        asked = question - terms(candidate.title)
        total = sum(idf[term] for term in asked)
        if total > 0:
            out[i] = max((sum(idf[term] for term in asked & part) for part in parts), default=0.0) / total
    return out


def _relative(values: np.ndarray) -> np.ndarray:
    return values - values.max() if len(values) else values


def candidate_features(
    query: str, query_vector: np.ndarray, adapted_vector: np.ndarray, candidates: Sequence[Candidate]
) -> np.ndarray:
    """[len(candidates), len(FEATURES)] float32 features of each candidate for ``query``."""
    if not candidates:
        return np.zeros((0, len(FEATURES)), dtype=np.float32)
    query_terms = tokens(query)
    unique = set(query_terms)
    documents = [_token_counts(f"{c.title}\n{c.text}") for c in candidates]
    bm25 = _bm25(query_terms, documents)
    vectors = np.stack([c.vector for c in candidates]).astype(np.float32)
    vector = vectors @ query_vector.astype(np.float32)
    adapter = vectors @ adapted_vector.astype(np.float32)
    rows = []
    for i, candidate in enumerate(candidates):
        evidence = max((_share(unique, sentence) for sentence in sentences(candidate.text)), default=0.0)
        rows.append([
            math.log1p(bm25[i]),
            bm25[i] / bm25.max() if bm25.max() > 0 else 0.0,
            evidence,
            len(unique & documents[i].keys()) / len(unique) if unique else 0.0,
            _share(unique, candidate.title),
            vector[i],
            0.0,
            adapter[i],
            0.0,
            1.0 / (candidate.rank + 1),
            0.0,
            0.0,
        ])
    out = np.asarray(rows, dtype=np.float32)
    out[:, FEATURES.index("vector_relative")] = _relative(vector)
    out[:, FEATURES.index("adapter_relative")] = _relative(adapter)
    topic = _topic_evidence(question_terms(query), candidates)
    out[:, FEATURES.index("topic_evidence")] = topic
    out[:, FEATURES.index("topic_evidence_relative")] = _relative(topic)
    return out
