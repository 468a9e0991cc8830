from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from jisik.db.models import ChatSession
from jisik.errors import NotFound

from ._paging import paged
from ._rows import apply_changes

__all__ = ["create_session", "delete_session", "get_session", "list_sessions", "update_session"]


async def create_session(*, session: AsyncSession, tenant_id: str, values: dict[str, Any]) -> ChatSession:
    chat_session = ChatSession(tenant_id=tenant_id, **values)
    session.add(chat_session)
    await session.flush()
    return chat_session


async def list_sessions(
    *, session: AsyncSession, tenant_id: str, owner: str | None, page: int, page_size: int
) -> tuple[list[ChatSession], int]:
    """The tenant's sessions (``owner``: only those it started), newest first."""
    query = (
        select(ChatSession)
        .where(col(ChatSession.tenant_id) == tenant_id)
        .order_by(col(ChatSession.updated_at).desc(), col(ChatSession.id))
    )
    if owner is not None:
        query = query.where(col(ChatSession.owner) == owner)
    return await paged(session, query, page=page, page_size=page_size)


async def get_session(*, session: AsyncSession, tenant_id: str, session_id: str, owner: str | None) -> ChatSession:
    """One session; with ``owner``, another's session is not found."""
    query = select(ChatSession).where(col(ChatSession.id) == session_id, col(ChatSession.tenant_id) == tenant_id)
    if owner is not None:
        query = query.where(col(ChatSession.owner) == owner)
    found = (await session.execute(query)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"session {session_id} not found", field="session_id")
    return found


async def update_session(*, session: AsyncSession, chat_session: ChatSession, values: dict[str, Any]) -> ChatSession:
    return await apply_changes(session, chat_session, values)


async def delete_session(*, session: AsyncSession, chat_session: ChatSession) -> None:
    """Delete the session; its messages cascade."""
    await session.delete(chat_session)
    await session.flush()
