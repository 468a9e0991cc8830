"""Compute caps: chunks per document (parse) and chunks a tenant may embed per window (index).

Both fail the document with a typed error that names the limit; nothing else of the tenant's is touched.
The budget counts the chunks of the tenant's documents completed within the window, so it holds across
workers and restarts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from jisik.db.models import Knowledge
from jisik.errors import QuotaExceeded, TooLarge
from jisik.settings import IngestSettings

__all__ = ["check_chunk_cap", "check_embed_budget"]


def check_chunk_cap(chunks: int, settings: IngestSettings) -> None:
    """:raises TooLarge: ``chunks`` is over ``max_chunks_per_document``."""
    cap = settings.max_chunks_per_document
    if chunks > cap:
        raise TooLarge(f"the document has more than {cap} chunks (limit max_chunks_per_document); "
                       "split it or raise the limit")


async def embedded_in_window(session: AsyncSession, tenant_id: str, window_s: float) -> int:
    """Chunks of the tenant's documents completed in the last ``window_s`` seconds."""
    since = datetime.now(UTC) - timedelta(seconds=window_s)
    used = await session.execute(
        select(func.coalesce(func.sum(col(Knowledge.chunk_count)), 0)).where(
            col(Knowledge.tenant_id) == tenant_id, col(Knowledge.processed_at) >= since
        )
    )
    return int(used.scalar_one())


async def check_embed_budget(session: AsyncSession, tenant_id: str, chunks: int, settings: IngestSettings) -> None:
    """:raises QuotaExceeded: embedding ``chunks`` more would exceed the tenant's budget for the window."""
    budget = settings.tenant_embed_budget
    if not budget:
        return
    window = settings.tenant_embed_window_s
    used = await embedded_in_window(session, tenant_id, window)
    if used + chunks > budget:
        raise QuotaExceeded(
            f"the tenant's embedding budget is used up: {used} of {budget} chunks embedded in the last "
            f"{window:.0f} s and this document needs {chunks}; reprocess it later (limit tenant_embed_budget)"
        )
