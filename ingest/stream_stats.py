"""What the stream monitoring page shows of one tenant's documents: finished documents per time
bucket, and the most frequent reasons documents failed (counted in the database, the system of record)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from jisik.db.models import Knowledge
from jisik.db.models.knowledge import ParseStatus

__all__ = ["throughput", "top_failures"]

_FINISHED = (ParseStatus.COMPLETED, ParseStatus.FAILED)


async def throughput(session: AsyncSession, tenant_id: str, *, window_s: int, buckets: int) -> list[dict[str, Any]]:
    """``buckets`` equal slices of the last ``window_s`` seconds, oldest first, each with the tenant's
    documents that completed or failed in it (by their last update)."""
    now = datetime.now(UTC)
    width = window_s / buckets
    start = now - timedelta(seconds=window_s)
    rows = await session.execute(
        select(col(Knowledge.updated_at), col(Knowledge.parse_status)).where(
            col(Knowledge.tenant_id) == tenant_id,
            col(Knowledge.parse_status).in_(_FINISHED),
            col(Knowledge.updated_at) >= start,
        )
    )
    counts = {status: [0] * buckets for status in _FINISHED}
    for updated_at, status in rows.all():
        counts[status][min(buckets - 1, int((updated_at - start).total_seconds() // width))] += 1
    return [
        {
            "start": (start + timedelta(seconds=width * index)).isoformat(),
            "completed": counts[ParseStatus.COMPLETED][index],
            "failed": counts[ParseStatus.FAILED][index],
        }
        for index in range(buckets)
    ]


async def top_failures(session: AsyncSession, tenant_id: str, *, limit: int) -> list[dict[str, Any]]:
    """The tenant's most frequent failure reasons, most frequent first."""
    count = func.count().label("documents")
    rows = await session.execute(
        select(col(Knowledge.error_message), count)
        .where(col(Knowledge.tenant_id) == tenant_id, col(Knowledge.parse_status) == ParseStatus.FAILED)
        .group_by(col(Knowledge.error_message))
        .order_by(count.desc(), col(Knowledge.error_message))
        .limit(limit)
    )
    return [{"reason": reason or "-", "documents": int(documents)} for reason, documents in rows.all()]
