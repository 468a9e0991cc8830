"""Parse: stream the document through the docreader, store its chunks, announce documents.parsed."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict
from typing import Any

from jisik.billing import Metric, record_usage
from jisik.clients.types import DocumentSource, ReadChunk, ReadSummary
from jisik.db.models import Knowledge, KnowledgeType, ParseStatus, Tenant
from jisik.errors import InvalidInput, ParseFailed
from jisik.events import DocumentEvent, DocumentParsed, DocumentUploaded
from jisik.pii import MaskPolicy, PiiType
from jisik.pii.policy import tenant_mask

from ..context import IngestContext
from ..keys import PUBLISHED_CONTENT, chunk_id
from ..limits import check_chunk_cap
from ..repository import claim, move, replace_chunks
from ..topology import stage_named

__all__ = ["ParseStage"]

logger = logging.getLogger(__name__)


def _source(knowledge: Knowledge, event: DocumentUploaded, mask: tuple[MaskPolicy, frozenset[PiiType] | None]) -> DocumentSource:
    """By storage key for uploads, by URL for web pages, inline only for editor Markdown (small)."""
    chunking: dict[str, Any] = event.chunking
    common: dict[str, Any] = {
        "file_name": knowledge.file_name,
        "file_type": knowledge.file_type,
        "request_id": f"{knowledge.id}:{knowledge.version}",
        "title": knowledge.title,
        "chunk_size": int(chunking.get("chunk_size", 0) or 0),
        "chunk_overlap": int(chunking.get("chunk_overlap", 0) or 0),
        "separators": [str(s) for s in chunking.get("separators", [])],
        "enable_multimodal": event.enable_multimodal,
        "pii_policy": mask[0].value,
        "pii_types": sorted(mask[1] or ()),
    }
    if knowledge.type == KnowledgeType.MANUAL:
        return DocumentSource(content=str(knowledge.metadata_.get(PUBLISHED_CONTENT, "")).encode(), **common)
    if knowledge.type == KnowledgeType.URL:
        return DocumentSource(url=knowledge.source, **common)
    if not knowledge.storage_key:
        raise InvalidInput("the document has no stored file")
    return DocumentSource(storage_key=knowledge.storage_key, **common)


def ocr_pages(chunks: list[ReadChunk]) -> int:
    """Pages that needed OCR: those with an image whose text was recognised (each such image, for formats
    without pages)."""
    pages: set[tuple[int, int]] = set()
    for chunk in chunks:
        for number, image in enumerate(chunk.images):
            if image.ocr_text.strip():
                pages.update({(page, 0) for page in chunk.pages} or {(-chunk.seq - 1, number)})
    return len(pages)


class ParseStage:
    stage = stage_named("parse")

    def __init__(self, context: IngestContext) -> None:
        self._context = context

    async def handle(self, event: DocumentEvent) -> DocumentEvent | None:
        assert isinstance(event, DocumentUploaded)
        sessions = self._context.sessions
        async with sessions.begin() as session:
            knowledge = await claim(session, event, entry=self.stage.entry, working=self.stage.working)
            model = self._context.settings.model
            mask = tenant_mask(await session.get(Tenant, event.tenant_id), model.pii_policy, model.masked_types)
        if knowledge is None:
            return None
        chunks: list[ReadChunk] = []
        info: ReadSummary | None = None
        limits = self._context.settings.ingest
        async for item in self._context.clients.docreader.stream(_source(knowledge, event, mask)):
            if isinstance(item, ReadSummary):
                info = item
            else:
                chunks.append(item)
                check_chunk_cap(len(chunks), limits)  # stops reading (the call is cancelled) once over
        assert info is not None  # the client raises Unavailable when the stream ends without it
        if not chunks:
            raise ParseFailed("no text could be extracted from the document")
        chunks.sort(key=lambda chunk: chunk.seq)
        rows = [self._row(knowledge, index, chunk) for index, chunk in enumerate(chunks)]
        content_hash = hashlib.sha256("\x1e".join(" ".join(c.content.split()) for c in chunks).encode()).hexdigest()
        metadata = {**knowledge.metadata_, "content_hash": content_hash, "parse_warnings": list(info.warnings[:50])}
        async with sessions.begin() as session:
            moved = await move(
                session, event, expected=ParseStatus.PARSING, to=ParseStatus.VALIDATING,
                page_count=int(info.page_count), chunk_count=len(rows), metadata_=metadata, error_message="",
            )
            if moved is None:  # a newer version or a delete overtook this one
                return None
            await replace_chunks(session, knowledge.id, rows)
            action = f"{knowledge.id}:{knowledge.version}"
            await record_usage(session, key=f"pages_parsed:{action}", tenant_id=knowledge.tenant_id,
                               metric=Metric.PAGES_PARSED, quantity=int(info.page_count))
            await record_usage(session, key=f"ocr_pages:{action}", tenant_id=knowledge.tenant_id,
                               metric=Metric.OCR_PAGES, quantity=ocr_pages(chunks))
        return DocumentParsed(
            tenant_id=event.tenant_id,
            knowledge_base_id=event.knowledge_base_id,
            knowledge_id=event.knowledge_id,
            version=event.version,
            page_count=int(info.page_count),
            chunk_count=len(rows),
            content_hash=content_hash,
        )

    @staticmethod
    def _row(knowledge: Knowledge, index: int, chunk: ReadChunk) -> dict[str, Any]:
        images = [asdict(image) for image in chunk.images]
        return {
            "id": chunk_id(knowledge.id, knowledge.version, index),
            "tenant_id": knowledge.tenant_id,
            "knowledge_base_id": knowledge.knowledge_base_id,
            "knowledge_id": knowledge.id,
            "content": chunk.content,
            "chunk_index": index,
            "start_at": chunk.start,
            "end_at": chunk.end,
            "pages": list(chunk.pages),
            "chunk_type": "image" if images and not chunk.content.strip() else "text",
            "image_info": images,
            "is_enabled": True,
        }
