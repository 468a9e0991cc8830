"""Training job rows: create (with its ``ml.training.jobs`` event), claim, heartbeat, log, finish,
cancel, and recover the jobs whose trainer died."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from jisik.db.models import TrainingJob
from jisik.db.outbox import add_record
from jisik.errors import Conflict, NotFound
from jisik.events import Topic

__all__ = [
    "FINISHED",
    "append_log",
    "claim",
    "create_job",
    "finish",
    "get_job",
    "queued_jobs",
    "recover_stale",
    "request_cancel",
]

FINISHED = ("succeeded", "failed", "cancelled")


async def create_job(session: AsyncSession, tenant_id: str, parameters: dict[str, Any]) -> TrainingJob:
    """A queued job, announced on ``ml.training.jobs`` in the same transaction."""
    job = TrainingJob(tenant_id=tenant_id, parameters=parameters, logs=["queued"])
    session.add(job)
    await session.flush()
    add_record(session, tenant_id=tenant_id, topic=Topic.ML_TRAINING_JOBS, aggregate_type="training_job",
               aggregate_id=job.id, payload={"schema_version": 1, "tenant_id": tenant_id, "job_id": job.id})
    return job


async def get_job(session: AsyncSession, tenant_id: str, job_id: str) -> TrainingJob:
    job = await session.get(TrainingJob, job_id)
    if job is None or job.tenant_id != tenant_id:
        raise NotFound(f"training job {job_id} not found", field="job_id")
    return job


async def request_cancel(session: AsyncSession, tenant_id: str, job_id: str) -> TrainingJob:
    """A queued job is cancelled at once; a running one at its next step.

    :raises Conflict: the job has already finished.
    """
    job = await get_job(session, tenant_id, job_id)
    await session.refresh(job, with_for_update=True)
    if job.status in FINISHED:
        raise Conflict(f"training job {job_id} has already {job.status}", field="job_id")
    job.cancel_requested = True
    if job.status == "queued":
        job.status = "cancelled"
        job.logs = [*job.logs, "cancelled before it started"]
    await session.flush()
    return job


async def claim(session: AsyncSession, job_id: str) -> TrainingJob | None:
    """Mark a queued job running (one trainer wins); None when it is not queued."""
    row = await session.scalar(
        update(TrainingJob)
        .where(col(TrainingJob.id) == job_id, col(TrainingJob.status) == "queued")
        .values(status="running", attempts=col(TrainingJob.attempts) + 1, heartbeat_at=datetime.now(UTC), progress=0.0)
        .returning(TrainingJob)
    )
    return row


_APPEND = text(
    "UPDATE ml_training_jobs SET logs = logs || CAST(:line AS jsonb), updated_at = now() WHERE id = :id"
)


async def append_log(session: AsyncSession, job_id: str, line: str) -> None:
    stamped = f"{datetime.now(UTC):%H:%M:%S} {line}"
    await session.execute(_APPEND, {"id": job_id, "line": json.dumps([stamped], ensure_ascii=False)})


async def finish(session: AsyncSession, job_id: str, status: str, *, error: str = "", version_id: str = "",
                 snapshot_id: str = "") -> None:
    values: dict[str, Any] = {"status": status, "error": error, "heartbeat_at": None}
    if version_id:
        values |= {"version_id": version_id, "progress": 1.0}
    if snapshot_id:
        values["snapshot_id"] = snapshot_id
    await session.execute(update(TrainingJob).where(col(TrainingJob.id) == job_id).values(**values))
    await append_log(session, job_id, status + (f": {error}" if error else ""))


async def recover_stale(session: AsyncSession, *, stale_after_s: float, max_attempts: int) -> list[str]:
    """Jobs marked running whose heartbeat stopped (their trainer died): queued again to resume, or
    failed with the reason once they used ``max_attempts``. Returns the ids queued again."""
    cutoff = datetime.now(UTC) - timedelta(seconds=stale_after_s)
    stale = list(await session.scalars(
        select(TrainingJob)
        .where(col(TrainingJob.status) == "running", col(TrainingJob.heartbeat_at) < cutoff)
        .with_for_update(skip_locked=True)
    ))
    resumed = []
    for job in stale:
        if job.attempts >= max_attempts:
            await finish(session, job.id, "failed",
                         error=f"the trainer stopped while running this job {job.attempts} times")
        else:
            job.status, job.heartbeat_at = "queued", None
            await session.flush()
            await append_log(session, job.id, f"the trainer stopped during attempt {job.attempts}; resuming")
            resumed.append(job.id)
    return resumed


async def queued_jobs(session: AsyncSession) -> list[str]:
    return list(await session.scalars(
        select(col(TrainingJob.id)).where(col(TrainingJob.status) == "queued").order_by(col(TrainingJob.created_at))
    ))
