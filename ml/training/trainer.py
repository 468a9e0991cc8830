"""One training job, end to end: snapshot (consent checked, PII masked), the tenant's corpus from the
index, question vectors from the default embedder, a held-out split, the fit, evaluation of the
candidate against the champion (or the base models) on the same held-out questions, registration."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jisik.db.models import TrainingSnapshot
from jisik.errors import InvalidInput
from jisik.settings import TrainingSettings

from .adapter import AdapterConfig
from .bundle import TunedBundle
from .corpus import Corpus
from .evaluate import evaluate
from .fit import fit_bundle
from .pairs import Pair, decode_snapshot
from .registry import register, serving_state
from .snapshots import build_snapshot
from .vectors import load_corpus

__all__ = ["Reporter", "TrainingOutcome", "run_training"]

Embed = Callable[[list[str]], np.ndarray]


class Reporter(Protocol):
    """How a running job tells the world: log lines, progress (0-1), and whether to stop."""

    async def log(self, line: str) -> None: ...

    async def progress(self, share: float) -> None: ...

    def progress_from_thread(self, share: float) -> None: ...


@dataclass(frozen=True, slots=True)
class TrainingOutcome:
    version_id: str
    snapshot_id: str
    challenger: bool


@dataclass(frozen=True, slots=True)
class _Labelled:
    queries: list[str]
    targets: list[int]
    held_out: np.ndarray  # bool per query


def _held_out(query: str, share: float) -> bool:
    return int(hashlib.sha256(query.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < share


def _label(pairs: list[Pair], corpus: Corpus, share: float) -> _Labelled:
    """Positive pairs whose passage the index holds; real questions (feedback, uploads) are split for
    held-out evaluation, synthetic ones only train."""
    by_text = {" ".join(text.split()): i for i, text in enumerate(corpus.texts)}
    queries, targets, held = [], [], []
    for pair in pairs:
        if not pair.label:
            continue
        target = corpus.index_of(pair.chunk_id) if pair.chunk_id else None
        if target is None:
            target = by_text.get(" ".join(pair.passage.split()))
        if target is None:
            continue
        queries.append(pair.query)
        targets.append(target)
        held.append(pair.source in ("feedback", "upload") and _held_out(pair.query, share))
    held_out = np.asarray(held, dtype=bool)
    if not held_out.any() and len(queries) >= 5:  # no real questions: hold out synthetic ones instead
        held_out = np.asarray([_held_out(query, share) for query in queries], dtype=bool)
    return _Labelled(queries, targets, held_out)


def _better(candidate: dict[str, Any], champion: dict[str, Any]) -> bool:
    return bool(candidate["reranked"]["mrr@10"] >= champion["reranked"]["mrr@10"])


async def run_training(
    sessions: async_sessionmaker[AsyncSession], *, tenant_id: str, job_id: str, settings: TrainingSettings,
    embed: Embed, reporter: Reporter,
) -> TrainingOutcome:
    """:raises ConsentRequired: no training consent. :raises InvalidInput: too little usable data."""
    started = time.perf_counter()
    async with sessions() as session, session.begin():
        snapshot: TrainingSnapshot = await build_snapshot(session, tenant_id, max_pairs=settings.max_pairs)
        corpus = await load_corpus(session, tenant_id)
        serving = await serving_state(session, tenant_id)
        champion_row = serving.champion
    await reporter.log(f"snapshot {snapshot.id[:12]}: {snapshot.counts}")
    await reporter.log(f"corpus: {len(corpus)} indexed chunks")
    labelled = _label(decode_snapshot(snapshot.content), corpus, settings.held_out_share)
    train = np.flatnonzero(~labelled.held_out)
    test = np.flatnonzero(labelled.held_out)
    if len(train) < settings.min_pairs or not len(test):
        raise InvalidInput(
            f"{len(train)} training and {len(test)} held-out questions match indexed chunks; "
            f"at least {settings.min_pairs} and 1 are needed", field="snapshot",
        )
    await reporter.log(f"{len(train)} training questions, {len(test)} held out")
    vectors = await asyncio.to_thread(embed, labelled.queries)
    await reporter.progress(0.1)
    queries = labelled.queries
    bundle = await asyncio.to_thread(
        fit_bundle, corpus, [queries[i] for i in train], vectors[train], [labelled.targets[i] for i in train],
        AdapterConfig(epochs=settings.adapter_epochs), lambda share: reporter.progress_from_thread(0.1 + 0.75 * share),
    )
    training_s = time.perf_counter() - started
    await reporter.log(f"trained in {training_s:.1f}s (adapter strength {bundle.adapter_strength:g})")
    held_queries, held_targets = [queries[i] for i in test], [labelled.targets[i] for i in test]
    champion = (TunedBundle.from_bytes(champion_row.artifact, champion_row.artifact_sha256)
                if champion_row is not None else None)
    candidate_metrics: dict[str, Any] = {
        **await asyncio.to_thread(evaluate, corpus, held_queries, vectors[test], held_targets, bundle),
        "held_out": len(test), "train": len(train), "adapter_strength": bundle.adapter_strength,
    }
    champion_metrics: dict[str, Any] = {
        **await asyncio.to_thread(evaluate, corpus, held_queries, vectors[test], held_targets, champion),
        "name": f"v{champion_row.version}" if champion_row is not None else "base",
    }
    better = _better(candidate_metrics, champion_metrics)
    await reporter.log(
        f"held-out reranked MRR@10 {candidate_metrics['reranked']['mrr@10']:.3f} vs "
        f"{champion_metrics['name']} {champion_metrics['reranked']['mrr@10']:.3f}"
        + ("" if better else "; not better than the champion, registered without an alias")
    )
    async with sessions() as session, session.begin():
        version = await register(
            session, tenant_id=tenant_id, bundle=bundle, snapshot_id=snapshot.id, job_id=job_id,
            metrics=candidate_metrics, champion_metrics=champion_metrics, training_s=training_s, challenger=better,
        )
    await reporter.progress(1.0)
    await reporter.log(f"registered version {version.version} ({version.artifact_sha256[:12]})")
    return TrainingOutcome(version.id, snapshot.id, better)
