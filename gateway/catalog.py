"""The chat pipeline's view of documents: titles of searchable (enabled, existing) documents the caller
may read (checked against the database, so a revoked access hides a hit before the index catches up)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from chat import KnowledgeInfo
from jisik.access import Access
from jisik.db.models import Knowledge

from .repositories.readable import readable_by

__all__ = ["DatabaseCatalog"]


class DatabaseCatalog:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def describe(
        self, *, tenant_id: str, knowledge_ids: Sequence[str], access: Access
    ) -> dict[str, KnowledgeInfo]:
        if not knowledge_ids:
            return {}
        query = select(
            col(Knowledge.id), col(Knowledge.title), col(Knowledge.file_name), col(Knowledge.source)
        ).where(
            col(Knowledge.tenant_id) == tenant_id,
            col(Knowledge.id).in_(list(knowledge_ids)),
            col(Knowledge.enable_status) == "enabled",
            readable_by(access),
        )
        async with self._sessions() as session:
            rows = (await session.execute(query)).all()
        return {row.id: KnowledgeInfo(title=row.title, file_name=row.file_name, source=row.source) for row in rows}
