"""The cross-encoder part of a training job: hard negatives from the tenant's index, the fine-tuning
within the time budget, and the held-out evaluation of the candidate and of the champion it would
replace (a tuned bundle, an earlier cross-encoder, or the base models) on the same questions."""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from jisik.db.models import ModelVersion

from .bundle import TunedBundle
from .corpus import Corpus
from .cross_encoder import (
    CROSS_ENCODER,
    CrossEncoderScorer,
    cross_encoder_metrics,
    fine_tune_cross_encoder,
    hard_negative_groups,
    load_scorer,
)
from .evaluate import evaluate
from .transformer import archive

if TYPE_CHECKING:
    from .trainer import Reporter

__all__ = ["CrossEncoderCandidate", "Questions", "champion_metrics", "train_cross_encoder"]


@dataclass(frozen=True, slots=True)
class CrossEncoderCandidate:
    artifact: bytes
    metrics: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Questions:
    """Questions with their base-embedder vectors and the corpus index of the passage that answers each."""

    queries: list[str]
    vectors: np.ndarray
    targets: list[int]


def champion_metrics(champion: ModelVersion | None, corpus: Corpus, held: Questions) -> dict[str, Any]:
    """The serving champion's held-out metrics, measured the way it serves (``name`` says which)."""
    if champion is None:
        return {**evaluate(corpus, held.queries, held.vectors, held.targets, None), "name": "base"}
    if champion.kind == CROSS_ENCODER:
        scorer = load_scorer(champion.artifact, champion.artifact_sha256)
        measured = cross_encoder_metrics(scorer, corpus, held.queries, held.vectors, held.targets)
    else:
        bundle = TunedBundle.from_bytes(champion.artifact, champion.artifact_sha256)
        measured = evaluate(corpus, held.queries, held.vectors, held.targets, bundle)
    return {**measured, "name": f"v{champion.version}"}


async def train_cross_encoder(
    *, base: Path, corpus: Corpus, training: Questions, held: Questions, budget_s: float, epochs: int, device: str,
    reporter: Reporter,
) -> CrossEncoderCandidate:
    """Fine-tune a cross-encoder from ``base`` on the training questions and measure it on the held-out ones."""
    groups = hard_negative_groups(corpus, training.queries, training.vectors, training.targets)
    await reporter.log(f"fine-tuning a cross-encoder from {base.name} on {len(groups)} questions with "
                       f"{len(groups[0].negatives)} hard negatives each ({device}, budget {budget_s:.0f}s)")
    with tempfile.TemporaryDirectory(prefix="jisik-cross-encoder-") as folder:
        tuned = await asyncio.to_thread(
            fine_tune_cross_encoder, base, groups, Path(folder) / "model", budget_s=budget_s, device=device,
            epochs=epochs, progress=lambda share: reporter.progress_from_thread(0.1 + 0.6 * min(share, 1.0)),
        )
        await reporter.log(f"{tuned.steps} steps over {tuned.groups_seen} questions in {tuned.seconds:.1f}s"
                           + (" (stopped at the budget)" if tuned.stopped_by_budget else ""))
        await reporter.progress(0.7)
        scorer = await asyncio.to_thread(CrossEncoderScorer, tuned.path, device)
        measured = await asyncio.to_thread(cross_encoder_metrics, scorer, corpus, held.queries, held.vectors,
                                           held.targets)
        artifact = await asyncio.to_thread(archive, tuned.path)
    metrics = {**measured, "kind": CROSS_ENCODER, "base": base.name, "train": len(groups),
               "held_out": len(held.queries), "negatives": len(groups[0].negatives), "steps": tuned.steps,
               "questions_seen": tuned.groups_seen, "stopped_by_budget": tuned.stopped_by_budget, "device": device,
               "fine_tune_s": round(tuned.seconds, 3)}
    return CrossEncoderCandidate(artifact, metrics)
