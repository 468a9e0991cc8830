"""Build a tenant's training snapshot from what it already has: feedback on answers and citations,
uploaded labelled pairs and synthetic pairs from its chunks. Only with the tenant's training consent;
every text is PII-masked before it is stored; equal data gives the same snapshot id."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from jisik.db.models import AnswerFeedback, Chunk, Knowledge, LabelledPair, Message, Tenant, TrainingSnapshot
from jisik.errors import ConsentRequired, NotFound

from .pairs import Pair, encode_snapshot
from .synthetic import synthetic_queries

__all__ = ["build_snapshot", "require_consent", "store_snapshot"]


async def require_consent(session: AsyncSession, tenant_id: str) -> Tenant:
    """:raises ConsentRequired: the tenant has not turned training consent on."""
    tenant = await session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound(f"tenant {tenant_id} not found", field="tenant_id")
    if not tenant.training_consent:
        raise ConsentRequired("this tenant has not consented to training on its data (training_consent is off)",
                        field="training_consent")
    return tenant


def _feedback_pairs(feedback: AnswerFeedback, message: Message | None) -> list[Pair]:
    """A citation's thumb labels that passage; an answer's thumb labels every passage the answer cited."""
    label = 1 if feedback.rating > 0 else 0
    if feedback.citation > 0:
        return [Pair(feedback.query, feedback.passage, label, "feedback", feedback.chunk_id)]
    references = message.knowledge_references if message is not None else []
    return [
        Pair(feedback.query, str(ref.get("content", "")), label, "feedback", str(ref.get("id", "")),
             str(ref.get("knowledge_title", "")))
        for ref in references if ref.get("cited") and ref.get("content")
    ]


async def _collect(session: AsyncSession, tenant_id: str, max_pairs: int) -> list[Pair]:
    pairs: list[Pair] = []
    rows = await session.execute(
        select(AnswerFeedback, Message)
        .outerjoin(Message, col(Message.id) == col(AnswerFeedback.message_id))
        .where(col(AnswerFeedback.tenant_id) == tenant_id)
        .order_by(col(AnswerFeedback.created_at).desc())
    )
    for feedback, message in rows:
        pairs += _feedback_pairs(feedback, message)
    uploaded = await session.scalars(
        select(LabelledPair).where(col(LabelledPair.tenant_id) == tenant_id).order_by(col(LabelledPair.created_at).desc())
    )
    pairs += [Pair(row.query, row.passage, row.label, "upload") for row in uploaded]
    chunks = await session.execute(
        select(col(Chunk.id), col(Chunk.content), col(Chunk.chunk_index), col(Knowledge.title))
        .join(Knowledge, col(Knowledge.id) == col(Chunk.knowledge_id))
        .where(col(Chunk.tenant_id) == tenant_id, col(Chunk.is_enabled))
        .order_by(col(Chunk.knowledge_id), col(Chunk.chunk_index))
    )
    for chunk_id, content, index, title in chunks:
        if len(pairs) >= max_pairs:
            break
        for query, source in synthetic_queries(title if index == 0 else "", content):
            pairs.append(Pair(query, content, 1, source, chunk_id, title))
    return pairs[:max_pairs]


async def build_snapshot(session: AsyncSession, tenant_id: str, *, max_pairs: int) -> TrainingSnapshot:
    """Store (or find) the tenant's current snapshot.

    :raises ConsentRequired: no training consent.
    """
    await require_consent(session, tenant_id)
    pairs = await _collect(session, tenant_id, max_pairs)
    snapshot_id, content = encode_snapshot(tenant_id, pairs)
    counts: dict[str, Any] = dict(Counter(pair.source for pair in pairs))
    counts["total"] = len(pairs)
    counts["negative"] = sum(1 for pair in pairs if not pair.label)
    return await store_snapshot(session, tenant_id, snapshot_id, content, counts)


async def store_snapshot(session: AsyncSession, tenant_id: str, snapshot_id: str, content: bytes,
                         counts: dict[str, Any]) -> TrainingSnapshot:
    """The snapshot row of ``snapshot_id``, written unless it exists (equal data, equal id)."""
    await session.execute(
        insert(TrainingSnapshot)
        .values(id=snapshot_id, tenant_id=tenant_id, counts=counts, content=content)
        .on_conflict_do_nothing(index_elements=["id"])
    )
    snapshot = await session.get(TrainingSnapshot, snapshot_id)
    assert snapshot is not None
    return snapshot
