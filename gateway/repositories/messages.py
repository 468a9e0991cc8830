from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from chat import HistoryTurn
from jisik.db.models import Message
from jisik.db.models._common import utcnow
from jisik.errors import NotFound

__all__ = [
    "delete_message",
    "delete_turn",
    "finish_answer",
    "get_message",
    "latest_answer",
    "load_messages",
    "question_of",
    "recent_turns",
    "start_turn",
]


async def load_messages(
    *, session: AsyncSession, tenant_id: str, session_id: str, before_time: datetime | None, limit: int
) -> list[Message]:
    """The ``limit`` latest messages created before ``before_time``, oldest first."""
    query = select(Message).where(col(Message.tenant_id) == tenant_id, col(Message.session_id) == session_id)
    if before_time is not None:
        query = query.where(col(Message.created_at) < before_time)
    # Newest first; within one instant the answer sorts before its question, so oldest-first puts the question first.
    query = query.order_by(col(Message.created_at).desc(), col(Message.role).asc()).limit(limit)
    rows = list((await session.execute(query)).scalars().all())
    rows.reverse()
    return rows


async def get_message(*, session: AsyncSession, tenant_id: str, message_id: str, session_id: str | None = None) -> Message:
    query = select(Message).where(col(Message.id) == message_id, col(Message.tenant_id) == tenant_id)
    if session_id is not None:
        query = query.where(col(Message.session_id) == session_id)
    found = (await session.execute(query)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"message {message_id} not found", field="message_id")
    return found


async def delete_message(*, session: AsyncSession, message: Message) -> None:
    await session.delete(message)
    await session.flush()


async def delete_turn(*, session: AsyncSession, tenant_id: str, message_ids: list[str]) -> None:
    """Remove the messages of one question (used when its answer could not start)."""
    await session.execute(
        delete(Message).where(col(Message.tenant_id) == tenant_id, col(Message.id).in_(message_ids))
    )


async def start_turn(
    *, session: AsyncSession, tenant_id: str, session_id: str, request_id: str, query: str
) -> tuple[Message, Message]:
    """The user's message and an empty assistant message marked as streaming."""
    asked = utcnow()
    user = Message(
        tenant_id=tenant_id, session_id=session_id, request_id=request_id, role="user", content=query,
        is_completed=True, status="complete", created_at=asked, updated_at=asked,
    )
    assistant = Message(
        tenant_id=tenant_id, session_id=session_id, request_id=request_id, role="assistant",
        is_completed=False, status="streaming",
    )
    session.add(user)
    await session.flush()
    session.add(assistant)
    await session.flush()
    return user, assistant


async def finish_answer(
    *,
    session: AsyncSession,
    tenant_id: str,
    message_id: str,
    content: str,
    references: list[dict[str, Any]],
    timings: list[dict[str, Any]],
    status: str,
    model_input: dict[str, Any] | None = None,
) -> bool:
    """Store the answer; False when the message is gone (its session was deleted meanwhile)."""
    result = await session.execute(
        update(Message)
        .where(col(Message.id) == message_id, col(Message.tenant_id) == tenant_id)
        .values(
            content=content,
            knowledge_references=references,
            stage_timings=timings,
            model_input=model_input,
            status=status,
            is_completed=status == "complete",
            updated_at=utcnow(),
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]  # a DML execute returns a CursorResult


async def question_of(*, session: AsyncSession, tenant_id: str, session_id: str, request_id: str) -> str:
    """The user's question of one turn ("" when it was deleted)."""
    query = select(col(Message.content)).where(
        col(Message.tenant_id) == tenant_id,
        col(Message.session_id) == session_id,
        col(Message.request_id) == request_id,
        col(Message.role) == "user",
    )
    return (await session.execute(query.limit(1))).scalar_one_or_none() or ""


async def latest_answer(*, session: AsyncSession, tenant_id: str, session_id: str) -> Message | None:
    query = (
        select(Message)
        .where(col(Message.tenant_id) == tenant_id, col(Message.session_id) == session_id, col(Message.role) == "assistant")
        .order_by(col(Message.created_at).desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def recent_turns(*, session: AsyncSession, tenant_id: str, session_id: str, limit: int) -> list[HistoryTurn]:
    """Completed question/answer pairs among the last ``limit`` messages, oldest first."""
    messages = await load_messages(
        session=session, tenant_id=tenant_id, session_id=session_id, before_time=None, limit=limit
    )
    questions: dict[str, str] = {}
    turns: list[HistoryTurn] = []
    for message in messages:
        if message.role == "user":
            questions[message.request_id] = message.content
        elif message.request_id in questions and message.status == "complete" and message.content:
            turns.append(
                HistoryTurn(
                    question=questions.pop(message.request_id),
                    answer=message.content,
                    references=tuple(message.knowledge_references),
                )
            )
    return turns
