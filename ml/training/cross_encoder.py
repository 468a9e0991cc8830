"""A tenant's cross-encoder reranker: a sentence-transformers ``CrossEncoder`` fine-tuned on the tenant's
questions, each scored against its labelled passage and hard negatives from the tenant's own index (the
passages the base hybrid search ranks highest that are not the labelled one), with a listwise softmax
loss, under a time budget: training stops at the budget (or after its epochs) and the model is saved
either way.

Its held-out ranking is the base hybrid ranking's first ``DEPTH`` (10, chat's default search depth)
reordered by its scores: the list chat's ``chunk_rerank`` reorders when the version serves a session. torch and
sentence-transformers are imported only when a model is trained or loaded.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from jisik.errors import InvalidInput
from jisik.passages import passage_text

from .budget import epoch_batches, run_within_budget
from .corpus import Corpus
from .metrics import ranking_metrics
from .transformer import unpacked

__all__ = [
    "CROSS_ENCODER",
    "CrossEncoderScorer",
    "FineTunedReranker",
    "RerankGroup",
    "cross_encoder_metrics",
    "fine_tune_cross_encoder",
    "hard_negative_groups",
    "load_scorer",
]

CROSS_ENCODER = "cross_encoder"
NEGATIVES = 3  # hard negatives per question: each training step scores 1 + NEGATIVES passages per question
DEPTH = 10  # candidates reordered per question, as many as chat's search returns by default
MAX_LENGTH = 256  # tokens of question + passage (Korean text in a MiniLM vocabulary tokenizes long)


@dataclass(frozen=True, slots=True)
class RerankGroup:
    """A question, its labelled passage and passages of the index that do not answer it."""

    query: str
    positive: str
    negatives: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FineTunedReranker:
    path: Path
    steps: int
    groups_seen: int
    seconds: float
    stopped_by_budget: bool
    device: str


def _passage(corpus: Corpus, index: int) -> str:
    return passage_text(corpus.titles[index], corpus.texts[index])


def hard_negative_groups(corpus: Corpus, queries: Sequence[str], query_vectors: np.ndarray,
                         targets: Sequence[int], *, negatives: int = NEGATIVES, seed: int = 13) -> list[RerankGroup]:
    """One group per question: its target passage and the ``negatives`` highest-ranked other passages of
    the base hybrid search (random other passages fill in when the search finds too few)."""
    generator = np.random.default_rng(seed)
    groups = []
    for query, vector, target in zip(queries, query_vectors, targets, strict=True):
        ranked = [i for i in corpus.hybrid_ranking(query, vector, negatives + 1) if i != target][:negatives]
        others = [i for i in generator.permutation(len(corpus)) if i != target and i not in ranked]
        chosen = ranked + [int(i) for i in others[: negatives - len(ranked)]]
        groups.append(RerankGroup(query, _passage(corpus, target), tuple(_passage(corpus, i) for i in chosen)))
    return groups


def _load(path: Path, device: str) -> Any:
    from sentence_transformers import CrossEncoder

    return CrossEncoder(str(path), device=device, local_files_only=True, num_labels=1, max_length=MAX_LENGTH)


def fine_tune_cross_encoder(
    base: Path,
    groups: Sequence[RerankGroup],
    out: Path,
    *,
    budget_s: float,
    device: str,
    epochs: int = 1,
    batch_size: int = 8,
    learning_rate: float = 3e-5,
    seed: int = 13,
    progress: Callable[[float], None] | None = None,
) -> FineTunedReranker:
    """Fine-tune the model at ``base`` (a cross-encoder, or a bi-encoder that gets a new scoring head) so
    that each group's positive outscores its negatives; save it to ``out``. At least one step runs; after
    that, training stops once ``budget_s`` (counted from the start, loading included) is spent.

    :raises InvalidInput: no group, or groups with different numbers of negatives.
    """
    if not groups or len({len(group.negatives) for group in groups}) != 1:
        raise InvalidInput("cross-encoder training needs questions with the same number of negatives",
                           field="snapshot")
    import torch

    torch.manual_seed(seed)
    started = time.perf_counter()
    model = _load(base, device)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate)
    width = 1 + len(groups[0].negatives)

    def step(batch: np.ndarray) -> int:
        pairs = [(groups[i].query, passage) for i in batch for passage in (groups[i].positive, *groups[i].negatives)]
        features = {key: value.to(device) if hasattr(value, "to") else value
                    for key, value in model.preprocess(pairs).items()}
        logits = model(features)["scores"].view(len(batch), width)
        loss = torch.nn.functional.cross_entropy(logits, torch.zeros(len(batch), dtype=torch.long, device=device))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return len(batch)

    run = run_within_budget(epoch_batches(len(groups), batch_size, epochs, seed), step, started=started,
                            budget_s=budget_s, progress=progress)
    model.eval()
    out.mkdir(parents=True, exist_ok=True)
    model.save(str(out))
    return FineTunedReranker(out, run.steps, run.seen, time.perf_counter() - started, run.stopped_by_budget, device)


class CrossEncoderScorer:
    """A loaded cross-encoder: relevance scores (logits) of passages for a question, higher = more relevant.
    One scoring at a time (concurrent callers would only share the same cores)."""

    def __init__(self, path: Path, device: str | None = None) -> None:
        """Loads on ``device``; by default the GPU when torch sees one, else the CPU."""
        import torch

        self._model = _load(path, device or ("cuda" if torch.cuda.is_available() else "cpu"))
        self._model.eval()
        self._logits = torch.nn.Identity()  # raw logits: a sigmoid ties confident passages at 1.0 in float32
        self._slot = threading.Lock()

    def scores(self, query: str, passages: Sequence[str]) -> np.ndarray:
        if not passages:
            return np.zeros(0, dtype=np.float32)
        with self._slot:
            raw = self._model.predict([(query, passage) for passage in passages], batch_size=32,
                                      show_progress_bar=False, activation_fn=self._logits, convert_to_numpy=True)
        return np.asarray(raw, dtype=np.float32).reshape(-1)


def load_scorer(artifact: bytes, expected_sha256: str, device: str | None = None) -> CrossEncoderScorer:
    """The registered archive (checksum verified) unpacked into a temporary folder and loaded.

    :raises InvalidInput: the checksum does not match or the archive is not a model.
    """
    with unpacked(artifact, expected_sha256, "cross-encoder") as folder:
        try:
            return CrossEncoderScorer(folder, device)
        except (OSError, ValueError) as exc:
            raise InvalidInput("the model archive does not load as a cross-encoder", field="artifact") from exc


def cross_encoder_metrics(scorer: CrossEncoderScorer, corpus: Corpus, queries: Sequence[str],
                          query_vectors: np.ndarray, targets: Sequence[int]) -> dict[str, dict[str, float]]:
    """Held-out vector, hybrid (base question vectors) and reranked rankings: the hybrid ranking's first
    ``DEPTH`` reordered by the cross-encoder."""
    relevant = [corpus.ids[t] for t in targets]
    runs: dict[str, list[list[str]]] = {"vector": [], "hybrid": [], "reranked": []}
    for query, vector in zip(queries, query_vectors, strict=True):
        runs["vector"].append([corpus.ids[i] for i in corpus.vector_ranking(vector, 10)])
        hybrid = corpus.hybrid_ranking(query, vector, DEPTH)
        runs["hybrid"].append([corpus.ids[i] for i in hybrid])
        scores = scorer.scores(query, [_passage(corpus, i) for i in hybrid])
        order = np.argsort(-scores, kind="stable")
        runs["reranked"].append([corpus.ids[hybrid[i]] for i in order])
    return {name: ranking_metrics(rankings, relevant) for name, rankings in runs.items()}
