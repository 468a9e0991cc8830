"""Embed (model service, batched) and index (retriever), then mark the document completed.

Chunks are embedded with their document's title and indexed with it (``jisik.passages``, shared with
chunk edits), so both search channels know what document a chunk comes from. A first version is upserted with IndexChunks; a later version (republish, reprocess) swaps all of
the document's chunks with ReplaceKnowledge, so searches never see both versions or neither.
Vectors of a document survive a failed try in a small cache, so a retry only embeds what is missing.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import UTC, datetime

from jisik.billing import Metric, record_usage
from jisik.db.models import Chunk, Knowledge, KnowledgeBase, ParseStatus
from jisik.events import DocumentEvent, DocumentIndexed, DocumentValidated
from jisik.passages import index_chunk, passage_text
from jisik.webhooks import EventType, stage_webhook_event
from jisik.webhooks.documents import indexed_data

from ..context import IngestContext
from ..limits import check_embed_budget
from ..repository import claim, load_chunks, move
from ..topology import stage_named

__all__ = ["IndexStage"]

_INDEX_BATCH = 256
_CACHED_DOCUMENTS = 8


class IndexStage:
    stage = stage_named("index")

    def __init__(self, context: IngestContext) -> None:
        self._context = context
        self._vectors: OrderedDict[tuple[str, int], dict[str, list[float]]] = OrderedDict()

    def _cache_for(self, key: tuple[str, int]) -> dict[str, list[float]]:
        cache = self._vectors.setdefault(key, {})
        self._vectors.move_to_end(key)
        while len(self._vectors) > _CACHED_DOCUMENTS:
            self._vectors.popitem(last=False)
        return cache

    async def _embed(
        self, knowledge: Knowledge, model_id: str, chunks: list[Chunk]
    ) -> tuple[dict[str, list[float]], str, int]:
        """Vectors by chunk id, the model that made them, and how many embedding calls this took."""
        key = (knowledge.id, knowledge.version)
        vectors = self._cache_for(key)
        missing = [chunk for chunk in chunks if chunk.id not in vectors]
        used_model = model_id
        batch = self._context.settings.ingest.embed_batch
        calls = 0
        for start in range(0, len(missing), batch):
            part = missing[start:start + batch]
            embedded, used_model = await self._context.clients.model.embed_passages(
                tenant_id=knowledge.tenant_id, model_id=model_id,
                texts=[passage_text(knowledge.title, chunk.content) for chunk in part],
            )
            vectors.update(zip((chunk.id for chunk in part), embedded, strict=True))
            calls += 1
        return vectors, used_model, calls

    async def handle(self, event: DocumentEvent) -> DocumentEvent | None:
        assert isinstance(event, DocumentValidated)
        sessions = self._context.sessions
        async with sessions.begin() as session:
            knowledge = await claim(session, event, entry=self.stage.entry, working=ParseStatus.EMBEDDING)
            if knowledge is None:
                return None
            knowledge_base = await session.get(KnowledgeBase, knowledge.knowledge_base_id)
            chunks = [chunk for chunk in await load_chunks(session, knowledge.id) if chunk.content.strip()]
            await check_embed_budget(session, knowledge.tenant_id, len(chunks), self._context.settings.ingest)
        model_id = knowledge_base.embedding_model_id if knowledge_base is not None else ""
        vectors, used_model, calls = await self._embed(knowledge, model_id, chunks)
        async with sessions.begin() as session:
            if await move(session, event, expected=ParseStatus.EMBEDDING, to=ParseStatus.INDEXING) is None:
                return None
        payload = [index_chunk(chunk, knowledge, vectors[chunk.id]) for chunk in chunks]
        retriever = self._context.clients.retriever
        if knowledge.version == 1:
            for start in range(0, len(payload), _INDEX_BATCH):
                await retriever.index_chunks(payload[start:start + _INDEX_BATCH])
        else:
            await retriever.replace_knowledge(knowledge.tenant_id, knowledge.id, payload)
        async with sessions.begin() as session:
            done = await move(session, event, expected=ParseStatus.INDEXING, to=ParseStatus.COMPLETED,
                              chunk_count=len(payload), processed_at=datetime.now(UTC), error_message="")
            if done is None:
                still_there = await session.get(Knowledge, knowledge.id)
            else:
                action = f"{knowledge.id}:{knowledge.version}"
                await record_usage(session, key=f"chunks_embedded:{action}", tenant_id=knowledge.tenant_id,
                                   metric=Metric.CHUNKS_EMBEDDED, quantity=len(payload), subject=used_model)
                await record_usage(session, key=f"embedding_calls:{action}", tenant_id=knowledge.tenant_id,
                                   metric=Metric.EMBEDDING_CALLS, quantity=calls, subject=used_model)
                indexed = DocumentIndexed(
                    tenant_id=event.tenant_id,
                    knowledge_base_id=event.knowledge_base_id,
                    knowledge_id=event.knowledge_id,
                    version=event.version,
                    chunk_count=len(payload),
                    embedding_model=used_model,
                )
                await stage_webhook_event(session, event.tenant_id, EventType.DOCUMENT_INDEXED, indexed_data(indexed))
        if done is None:
            if still_there is None:  # deleted while we indexed: take the chunks back out
                await retriever.delete(knowledge.tenant_id, knowledge_ids=[knowledge.id])
            return None
        self._vectors.pop((knowledge.id, knowledge.version), None)
        return indexed
