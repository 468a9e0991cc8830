"""Erasure: a document and everything made from it, gone at once, with a receipt of what went.

Removed: the document row with its chunks, field results and the lines its field check read (they
cascade), its index entries and vectors in the retriever, its stored objects (the original and every
derived file under the document's prefix), the extracted images no other chunk uses (images are stored
by content hash and may be shared), the chat turns that cite it (the answer and its question), and its
unpublished outbox events. The compacted CDC topics forget it after the commit: the relay follows each
deleted row's change event with a tombstone, and index.meta follows the deleted document's record with
one (cdc/).

The receipt holds counts and sha256 digests of object keys, never document text or file names."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, delete, func, literal, select, tuple_
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from jisik.clients.retriever import RetrieverClient
from jisik.db.models import Chunk, DocumentFields, Knowledge, Message, OutboxEvent
from jisik.errors import NotFound
from jisik.events import Topic, cdc_topic
from jisik.storage import ObjectStore

from .commands import delete_knowledge

__all__ = ["ErasureReceipt", "erase_knowledge", "unshared_images"]

_IMAGE_PREFIX = "images/"


@dataclass(frozen=True)
class ErasureReceipt:
    knowledge_id: str
    # Rows and entries removed, by kind.
    removed: dict[str, int]
    # sha256 of every object key deleted by name (objects under the document's prefix are counted).
    object_key_sha256: list[str] = field(default_factory=list)
    # Compacted topics and how many tombstones each gets once the erasure has committed.
    tombstones: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _image_keys(image_info: list[dict[str, Any]]) -> set[str]:
    return {
        str(image.get("storage_key"))
        for image in image_info
        if isinstance(image, dict) and str(image.get("storage_key") or "").startswith(_IMAGE_PREFIX)
    }


def _holds(column: Any, item: dict[str, str]) -> ColumnElement[bool]:
    """A JSONB array column holds an object with (at least) these keys and values."""
    return column.op("@>")(literal([item], JSONB))


async def _count(session: AsyncSession, query: Any) -> int:
    return int((await session.execute(query)).scalar_one())


async def unshared_images(session: AsyncSession, knowledge_id: str) -> list[str]:
    """Image keys of the document that no other document's chunk refers to."""
    rows = (await session.execute(select(col(Chunk.image_info)).where(col(Chunk.knowledge_id) == knowledge_id))).all()
    keys = sorted(set().union(*(_image_keys(row[0]) for row in rows))) if rows else []
    unshared = []
    for key in keys:
        # Images are content-addressed and may be shared by any document; only this document's go.
        used_elsewhere = select(func.count()).where(
            col(Chunk.knowledge_id) != knowledge_id,
            _holds(col(Chunk.image_info), {"storage_key": key}),
        )
        if await _count(session, used_elsewhere) == 0:
            unshared.append(key)
    return unshared


async def _erase_citing_turns(session: AsyncSession, tenant_id: str, knowledge_id: str) -> int:
    """Delete every answer citing the document together with the question of its turn."""
    citing = select(col(Message.session_id), col(Message.request_id)).where(
        col(Message.tenant_id) == tenant_id,
        _holds(col(Message.knowledge_references), {"knowledge_id": knowledge_id}),
    )
    turns = [(row[0], row[1]) for row in (await session.execute(citing)).all()]
    if not turns:
        return 0
    removed = await session.execute(
        delete(Message)
        .where(col(Message.tenant_id) == tenant_id, tuple_(col(Message.session_id), col(Message.request_id)).in_(turns))
        .returning(col(Message.id))
    )
    return len(removed.all())


async def erase_knowledge(
    session: AsyncSession,
    store: ObjectStore,
    retriever: RetrieverClient,
    *,
    tenant_id: str,
    knowledge_id: str,
) -> ErasureReceipt:
    """Erase one document of ``tenant_id`` in the caller's transaction (objects and index entries go at
    once, before the commit).

    :raises NotFound: no such document in this tenant.
    """
    knowledge = (
        await session.execute(
            select(Knowledge)
            .where(col(Knowledge.id) == knowledge_id, col(Knowledge.tenant_id) == tenant_id)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if knowledge is None:
        raise NotFound(f"document {knowledge_id} not found", field="knowledge_id")
    chunks = await _count(session, select(func.count()).where(col(Chunk.knowledge_id) == knowledge_id))
    fields = await _count(session, select(func.count()).where(col(DocumentFields.knowledge_id) == knowledge_id))
    images = await unshared_images(session, knowledge_id)
    index_entries = await retriever.delete(tenant_id, knowledge_ids=[knowledge_id])
    messages = await _erase_citing_turns(session, tenant_id, knowledge_id)
    outbox = await session.execute(
        delete(OutboxEvent)
        .where(col(OutboxEvent.tenant_id) == tenant_id, col(OutboxEvent.aggregate_id) == knowledge_id)
        .returning(col(OutboxEvent.id))
    )
    storage_key = knowledge.storage_key
    objects = await delete_knowledge(session, store, tenant_id=tenant_id, knowledge_id=knowledge_id)
    for key in images:
        await store.delete(key)
    removed = {
        "documents": 1,
        "chunks": chunks,
        "field_results": fields,
        "index_entries": index_entries,
        "objects": objects,
        "images": len(images),
        "messages": messages,
        "outbox_events": len(outbox.all()),
    }
    keys = [key for key in (storage_key, *images) if key]
    tombstones = {cdc_topic("knowledges"): 1, Topic.INDEX_META.value: 1, cdc_topic("messages"): messages}
    return ErasureReceipt(knowledge_id, removed, [_digest(key) for key in keys], tombstones)
