"""Thumbs on answers and citations: one row per (answer, citation), the latest rating wins. The row
keeps the question, the cited passage and the tuned version that served the answer, so feedback is
training data and an online signal at once."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from jisik.db.models import AnswerFeedback, Message
from jisik.db.models._common import new_id, utcnow
from jisik.errors import InvalidInput, NotFound

__all__ = ["record_feedback"]


def _served_version(message: Message) -> str:
    for timing in message.stage_timings:
        if timing.get("name") == "chunk_search":
            return str(timing.get("model_version_id", ""))
    return ""


async def record_feedback(
    session: AsyncSession, *, tenant_id: str, message_id: str, citation: int, rating: int
) -> AnswerFeedback:
    """:raises NotFound: not an answer of the tenant. :raises InvalidInput: no such citation."""
    message = await session.get(Message, message_id)
    if message is None or message.tenant_id != tenant_id or message.role != "assistant":
        raise NotFound(f"answer {message_id} not found", field="message_id")
    chunk_id, passage = "", ""
    if citation:
        if not 1 <= citation <= len(message.knowledge_references):
            raise InvalidInput(
                f"the answer has {len(message.knowledge_references)} references; there is no [{citation}]",
                field="citation",
            )
        reference = message.knowledge_references[citation - 1]
        chunk_id, passage = str(reference.get("id", "")), str(reference.get("content", ""))
    query = await session.scalar(
        select(col(Message.content)).where(
            col(Message.session_id) == message.session_id, col(Message.request_id) == message.request_id,
            col(Message.role) == "user",
        )
    ) or ""
    values = {
        "tenant_id": tenant_id, "message_id": message_id, "session_id": message.session_id, "citation": citation,
        "rating": rating, "query": query, "chunk_id": chunk_id, "passage": passage,
        "model_version_id": _served_version(message),
    }
    row = await session.scalar(
        insert(AnswerFeedback).values(id=new_id(), created_at=utcnow(), updated_at=utcnow(), **values)
        .on_conflict_do_update(constraint="uq_ml_feedback_message_citation",
                               set_={"rating": rating, "updated_at": utcnow()})
        .returning(AnswerFeedback)
    )
    assert row is not None
    return row
