"""Helpers of the training tests: trainer settings for a test broker, a job run to its registered
version, and a sequence of promotes, rollbacks and registrations."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jisik.db.models import ModelAlias, ModelVersion, TrainingJob
from jisik.runtime.tansu import EmbeddedTansu
from jisik.settings import Settings
from ml.training import registry
from ml.training.worker import TrainerWorker, default_embed

STEPS = (10, 50, 100)


def trainer_settings(kafka: EmbeddedTansu, **training: object) -> Settings:
    base = Settings.load()
    return base.model_copy(update={
        "kafka": base.kafka.model_copy(update={"bootstrap_servers": kafka.bootstrap_servers}),
        "training": base.training.model_copy(update={"poll_s": 0.5, "heartbeat_s": 0.2, "adapter_epochs": 5,
                                                     **training}),
    })


async def run_to_version(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, kafka: EmbeddedTansu, tenant_id: str, job_id: str,
) -> tuple[TrainingJob, ModelVersion, ModelAlias | None]:
    """Run the job on a trainer; the job (it succeeded), its registered version and the tenant's challenger."""
    await TrainerWorker(settings, sessions, default_embed, bootstrap_servers=kafka.bootstrap_servers).run_job(job_id)
    async with sessions() as session:
        done = await session.get(TrainingJob, job_id)
        assert done is not None and done.status == "succeeded", done.logs if done else None
        version = await session.get(ModelVersion, done.version_id)
        challenger = await session.get(ModelAlias, (tenant_id, registry.CHALLENGER))
    assert version is not None
    return done, version, challenger


async def flip(sessions: async_sessionmaker[AsyncSession], tenant_id: str, actions: Sequence[str],
               register: Callable[[], Awaitable[object]], *, pause_s: float) -> None:
    """``promote``, ``rollback`` or ``register`` (a new challenger), in order, ``pause_s`` apart."""
    for action in actions:
        await asyncio.sleep(pause_s)
        if action == "register":
            await register()
            continue
        async with sessions() as session, session.begin():
            if action == "promote":
                await registry.promote(session, tenant_id, STEPS)
            else:
                await registry.rollback(session, tenant_id, "test")
