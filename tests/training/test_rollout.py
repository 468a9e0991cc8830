"""Registry, canary and rollback on the real database: deterministic session buckets, promote steps,
rollback, automatic rollback from online signals, and switching under concurrent requests."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from jisik.db.models import ModelVersion, OutboxEvent, ServingSignal
from jisik.db.tenants import create_tenant
from jisik.settings import TrainingSettings
from ml.training import registry
from ml.training.adapter import QueryAdapter
from ml.training.bundle import TunedBundle
from ml.training.reranker import FeatureReranker
from ml.training.rollout import bucket, watch_rollout
from ml.training.serving import TunedModels

from .runs import STEPS, flip

pytestmark = pytest.mark.integration


def _bundle(seed: int) -> TunedBundle:
    rng = np.random.default_rng(seed)
    size = 10
    return TunedBundle(QueryAdapter(np.eye(384, dtype=np.float32)), FeatureReranker(
        np.zeros(size, np.float32), np.ones(size, np.float32), rng.normal(size=size).astype(np.float32), 0.0))


async def _register(sessions: async_sessionmaker[AsyncSession], tenant_id: str, seed: int) -> ModelVersion:
    async with sessions() as session, session.begin():
        return await registry.register(session, tenant_id=tenant_id, artifact=_bundle(seed).to_bytes(), snapshot_id="s",
                                       job_id="", metrics={}, champion_metrics={}, training_s=1.0, challenger=True)


async def _tenant(sessions: async_sessionmaker[AsyncSession]) -> str:
    async with sessions() as session, session.begin():
        tenant, _ = await create_tenant(session, name="acme")
        return tenant.id


async def test_promote_steps_the_canary_by_session_hash_then_makes_a_champion_and_rollback_restores(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    tenant_id = await _tenant(sessions)
    first = await _register(sessions, tenant_id, 1)
    models = TunedModels(sessions, refresh_s=0.0)
    session_ids = [f"chat-{i}" for i in range(400)]
    assert {await models.for_session(tenant_id, s) for s in session_ids[:20]} == {None}  # challenger at 0%
    for percent in (10, 50):
        async with sessions() as session, session.begin():
            state = await registry.promote(session, tenant_id, STEPS)
        assert state.percent == percent
        served = [await models.for_session(tenant_id, s) for s in session_ids]
        on_challenger = {s for s, model in zip(session_ids, served, strict=True) if model is not None}
        assert on_challenger == {s for s in session_ids if bucket(s) < percent}
        assert {model.version_id for model in served if model is not None} == {first.id}
    async with sessions() as session, session.begin():
        state = await registry.promote(session, tenant_id, STEPS)
    assert state.champion is not None and state.champion.id == first.id and state.challenger is None
    second = await _register(sessions, tenant_id, 2)
    async with sessions() as session, session.begin():
        await registry.promote(session, tenant_id, STEPS)
        await registry.promote(session, tenant_id, STEPS)
        await registry.promote(session, tenant_id, STEPS)
    assert (await models.for_session(tenant_id, "any")).version_id == second.id  # type: ignore[union-attr]  # a champion serves
    async with sessions() as session, session.begin():
        state = await registry.rollback(session, tenant_id, "by hand")
    assert state.champion is not None and state.champion.id == first.id
    assert state.rollout is not None and (state.rollout.state, state.rollout.reason) == ("rolled_back", "by hand")
    async with sessions() as session:
        registered = (await session.scalars(select(col(OutboxEvent.aggregate_id)).where(
            col(OutboxEvent.event_type) == "ml.models.registered"))).all()
    assert sorted(registered) == sorted([first.id, second.id])


async def test_a_challenger_that_stays_worse_than_the_champion_is_rolled_back_automatically(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    tenant_id = await _tenant(sessions)
    challenger = await _register(sessions, tenant_id, 1)
    async with sessions() as session, session.begin():
        await registry.promote(session, tenant_id, STEPS)
        for i in range(30):  # base: 10% no answer; challenger: 60%
            session.add(ServingSignal(tenant_id=tenant_id, version_id="", latency_ms=100, no_answer=i % 10 == 0))
            session.add(ServingSignal(tenant_id=tenant_id, version_id=challenger.id, latency_ms=100,
                                      no_answer=i % 10 < 6))
    settings = TrainingSettings(rollback_min_answers=20, rollback_breach_s=30)
    now = datetime.now(UTC) + timedelta(seconds=1)
    async with sessions() as session, session.begin():
        assert await watch_rollout(session, tenant_id, settings, now) is None  # the breach starts
    async with sessions() as session, session.begin():
        assert await watch_rollout(session, tenant_id, settings, now + timedelta(seconds=10)) is None
    async with sessions() as session, session.begin():
        reason = await watch_rollout(session, tenant_id, settings, now + timedelta(seconds=31))
    assert reason is not None and "no-answer rate 60%" in reason
    async with sessions() as session:
        state = await registry.serving_state(session, tenant_id)
    assert state.challenger is None and state.rollout is not None and state.rollout.state == "rolled_back"


async def test_switching_versions_fails_no_concurrent_request(sessions: async_sessionmaker[AsyncSession]) -> None:
    tenant_id = await _tenant(sessions)
    await _register(sessions, tenant_id, 1)
    models = TunedModels(sessions, refresh_s=0.0)
    failures: list[BaseException] = []
    served: set[str] = set()
    stop = asyncio.Event()

    async def caller(n: int) -> None:
        while not stop.is_set():
            try:
                model = await models.for_session(tenant_id, f"chat-{n}")
                served.add(model.version_id if model else "base")
                if model is not None and model.bundle is not None:
                    model.bundle.adapt(np.ones(384, dtype=np.float32))
            except Exception as exc:  # noqa: BLE001 - any failure is what this test counts
                failures.append(exc)

    callers = [asyncio.create_task(caller(n)) for n in range(20)]
    await flip(sessions, tenant_id, ("promote", "promote", "rollback", "register", "promote", "promote", "promote",
                                      "rollback"), lambda: _register(sessions, tenant_id, 3), pause_s=0.2)
    await asyncio.sleep(0.2)
    stop.set()
    await asyncio.gather(*callers)
    assert failures == []
    assert len(served) >= 2  # both the base models and a tuned version answered during the flips
