"""Database work of the stages: claiming a document version, chunk upserts, status changes.

Every write is guarded by the event's version, so a stale event can never overwrite newer work.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from jisik.db.models import Chunk, Knowledge, ParseStatus
from jisik.events import DocumentEvent

__all__ = [
    "claim",
    "load_chunks",
    "mark_failed",
    "move",
    "replace_chunks",
    "touch",
]

_INSERT_BATCH = 500


def _now() -> datetime:
    return datetime.now(UTC)


def _this_version(event: DocumentEvent) -> Any:
    return (
        (col(Knowledge.id) == event.knowledge_id)
        & (col(Knowledge.tenant_id) == event.tenant_id)
        & (col(Knowledge.version) == event.version)
    )


async def claim(
    session: AsyncSession, event: DocumentEvent, *, entry: Iterable[ParseStatus], working: ParseStatus
) -> Knowledge | None:
    """Move the event's document version into ``working`` if it is in one of the ``entry`` statuses.

    ``None`` means there is nothing to do: the document is gone, newer, or already past this stage.
    """
    result = await session.execute(
        update(Knowledge)
        .where(_this_version(event), col(Knowledge.parse_status).in_(list(entry)))
        .values(parse_status=working, updated_at=_now())
        .returning(Knowledge)
    )
    return result.scalar_one_or_none()


async def move(
    session: AsyncSession, event: DocumentEvent, *, expected: ParseStatus, to: ParseStatus, **values: Any
) -> Knowledge | None:
    """Advance the document version from ``expected`` to ``to`` (with extra column values)."""
    result = await session.execute(
        update(Knowledge)
        .where(_this_version(event), col(Knowledge.parse_status) == expected)
        .values(parse_status=to, updated_at=_now(), **values)
        .returning(Knowledge)
    )
    return result.scalar_one_or_none()


async def touch(session: AsyncSession, knowledge_id: str) -> None:
    """Record that a worker is still busy with the document (keeps the re-driver away)."""
    await session.execute(update(Knowledge).where(col(Knowledge.id) == knowledge_id).values(updated_at=_now()))


async def mark_failed(session: AsyncSession, event: DocumentEvent, reason: str, **values: Any) -> bool:
    """Fail the event's version unless it already finished; False when the row moved on."""
    result = await session.execute(
        update(Knowledge)
        .where(_this_version(event), col(Knowledge.parse_status).not_in([ParseStatus.COMPLETED, ParseStatus.DRAFT]))
        .values(parse_status=ParseStatus.FAILED, error_message=reason[:2000], updated_at=_now(), **values)
        .returning(col(Knowledge.id))
    )
    return result.scalar_one_or_none() is not None


async def replace_chunks(session: AsyncSession, knowledge_id: str, rows: Sequence[dict[str, Any]]) -> None:
    """Make the document's chunk rows exactly ``rows``: upsert by id, delete every other row."""
    ids = [row["id"] for row in rows]
    await session.execute(delete(Chunk).where(col(Chunk.knowledge_id) == knowledge_id, col(Chunk.id).not_in(ids)))
    table = Chunk.__table__  # type: ignore[attr-defined]  # SQLModel's metaclass adds __table__ at class creation
    for start in range(0, len(rows), _INSERT_BATCH):
        statement = insert(table).values(list(rows[start:start + _INSERT_BATCH]))
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.id],
                set_={
                    name: statement.excluded[name]
                    for name in ("content", "chunk_index", "start_at", "end_at", "pages", "chunk_type", "image_info")
                } | {"updated_at": _now()},
            )
        )


async def load_chunks(session: AsyncSession, knowledge_id: str) -> list[Chunk]:
    """The document's chunks in reading order."""
    result = await session.execute(
        select(Chunk).where(col(Chunk.knowledge_id) == knowledge_id).order_by(col(Chunk.chunk_index))
    )
    return list(result.scalars())
