"""A cancel that arrives once a training job is registering its version (after its last cancel point).

The job runs while the test holds a lock on the outbox, where registering stages the version's
``ml.models.registered`` record: the job registers up to that insert and waits there, holding its new
version uncommitted. Then the cancel is requested, the job's heartbeats see it, and the lock is let go.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jisik.db.models import ModelVersion, TrainingJob
from ml.training import jobs

# Only the job's own insert counts: autovacuum or autoanalyze of the outbox waits on the same lock.
_REGISTRATION_WAITS = text(
    "SELECT count(*) FROM pg_locks JOIN pg_class ON pg_class.oid = pg_locks.relation "
    "JOIN pg_stat_activity ON pg_stat_activity.pid = pg_locks.pid "
    "WHERE pg_class.relname = 'outbox' AND NOT pg_locks.granted "
    "AND pg_stat_activity.query ILIKE 'INSERT INTO outbox%'"
)


async def cancel_while_registering(
    sessions: async_sessionmaker[AsyncSession], *, tenant_id: str, job_id: str,
    run: Coroutine[Any, Any, None], heartbeat_s: float, timeout_s: float = 240,
) -> None:
    """Run ``run`` (the job) to its end with a cancel requested while it registers its version."""
    async with sessions() as holder, holder.begin():
        await holder.execute(text("LOCK TABLE outbox IN SHARE MODE"))
        job = asyncio.create_task(run)
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            async with sessions() as session:
                if await session.scalar(_REGISTRATION_WAITS):
                    break
            assert not job.done(), "the job ended without registering"
            assert asyncio.get_running_loop().time() < deadline, "the job never reached its registration"
            await asyncio.sleep(0.2)
        async with sessions() as session, session.begin():
            await jobs.request_cancel(session, tenant_id, job_id)
        await asyncio.sleep(heartbeat_s * 5)  # several heartbeats: the running job has seen the request
    await asyncio.wait_for(job, 60)


async def assert_cancelled_too_late(sessions: async_sessionmaker[AsyncSession], job_id: str) -> None:
    """The job saw the cancel yet ended succeeded, with its one registered version."""
    async with sessions() as session:
        row = await session.get(TrainingJob, job_id)
        versions = (await session.scalars(select(ModelVersion))).all()
    assert row is not None and row.cancel_requested
    assert row.status == "succeeded" and [version.id for version in versions] == [row.version_id], row.logs
