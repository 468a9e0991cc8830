"""Unfinished documents, counted in the database (the system of record) rather than from broker offsets,
so work a broker lost still shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from jisik.db.models import Knowledge

from .topology import STAGES, TERMINAL

__all__ = ["StageBacklog", "stage_backlog", "unfinished_documents"]

StageBacklog = dict[str, int]


async def stage_backlog(session: AsyncSession, tenant_id: str) -> StageBacklog:
    """``{stage name: the tenant's documents waiting for or inside that stage}``."""
    rows = await session.execute(
        select(col(Knowledge.parse_status), func.count())
        .where(col(Knowledge.tenant_id) == tenant_id, col(Knowledge.parse_status).not_in(list(TERMINAL)))
        .group_by(col(Knowledge.parse_status))
    )
    counts: dict[str, int] = {status: count for status, count in rows.all()}
    return {stage.name: sum(counts.get(status, 0) for status in stage.entry | {stage.working}) for stage in STAGES}


async def unfinished_documents(session: AsyncSession, *, stale_after_s: float) -> tuple[int, int]:
    """(documents of every tenant not yet completed or failed, those of them untouched for ``stale_after_s``)."""
    cutoff = datetime.now(UTC) - timedelta(seconds=stale_after_s)
    unfinished = col(Knowledge.parse_status).not_in(list(TERMINAL))
    row = (await session.execute(
        select(func.count(), func.count().filter(col(Knowledge.updated_at) < cutoff)).where(unfinished)
    )).one()
    return int(row[0]), int(row[1])
