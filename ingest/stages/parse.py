"""Parse: stream the document through the docreader, store its chunks, announce documents.parsed."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from jisik.db.models import Knowledge, KnowledgeType, ParseStatus
from jisik.errors import InvalidInput, ParseFailed, Unavailable
from jisik.events import DocumentEvent, DocumentParsed, DocumentUploaded
from jisik.proto import docreader_pb2

from ..context import IngestContext
from ..keys import PUBLISHED_CONTENT, chunk_id
from ..limits import check_chunk_cap
from ..repository import claim, move, replace_chunks
from ..topology import stage_named

__all__ = ["ParseStage"]

logger = logging.getLogger(__name__)


def _read_config(event: DocumentUploaded) -> docreader_pb2.ReadConfig:
    chunking: dict[str, Any] = event.chunking
    return docreader_pb2.ReadConfig(
        chunk_size=int(chunking.get("chunk_size", 0) or 0),
        chunk_overlap=int(chunking.get("chunk_overlap", 0) or 0),
        separators=[str(s) for s in chunking.get("separators", [])],
        enable_multimodal=event.enable_multimodal,
    )


def _request(knowledge: Knowledge, event: DocumentUploaded) -> docreader_pb2.ReadStreamRequest:
    """By storage key for uploads, by URL for web pages, inline only for editor Markdown (small)."""
    common: dict[str, Any] = {
        "file_name": knowledge.file_name,
        "file_type": knowledge.file_type,
        "read_config": _read_config(event),
        "request_id": f"{knowledge.id}:{knowledge.version}",
        "title": knowledge.title,
    }
    if knowledge.type == KnowledgeType.MANUAL:
        content = str(knowledge.metadata_.get(PUBLISHED_CONTENT, ""))
        return docreader_pb2.ReadStreamRequest(file_content=content.encode(), **common)
    if knowledge.type == KnowledgeType.URL:
        return docreader_pb2.ReadStreamRequest(url=knowledge.source, **common)
    if not knowledge.storage_key:
        raise InvalidInput("the document has no stored file")
    return docreader_pb2.ReadStreamRequest(storage_key=knowledge.storage_key, **common)


class ParseStage:
    stage = stage_named("parse")

    def __init__(self, context: IngestContext) -> None:
        self._context = context

    async def handle(self, event: DocumentEvent) -> DocumentEvent | None:
        assert isinstance(event, DocumentUploaded)
        sessions = self._context.sessions
        async with sessions.begin() as session:
            knowledge = await claim(session, event, entry=self.stage.entry, working=self.stage.working)
        if knowledge is None:
            return None
        chunks: list[docreader_pb2.Chunk] = []
        info: docreader_pb2.DocumentInfo | None = None
        limits = self._context.settings.ingest
        async for frame in self._context.services.read_stream(_request(knowledge, event)):
            if frame.HasField("chunk"):
                chunks.append(frame.chunk)
                check_chunk_cap(len(chunks), limits)  # stops reading (the call is cancelled) once over
            elif frame.HasField("done"):
                info = frame.done
        if info is None:
            raise Unavailable("the docreader stream ended before the document was complete")
        if not chunks:
            raise ParseFailed("no text could be extracted from the document")
        chunks.sort(key=lambda chunk: chunk.seq)
        rows = [self._row(knowledge, index, chunk) for index, chunk in enumerate(chunks)]
        content_hash = hashlib.sha256("\x1e".join(" ".join(c.content.split()) for c in chunks).encode()).hexdigest()
        metadata = {**knowledge.metadata_, "content_hash": content_hash, "parse_warnings": list(info.warnings)[:50]}
        async with sessions.begin() as session:
            moved = await move(
                session, event, expected=ParseStatus.PARSING, to=ParseStatus.VALIDATING,
                page_count=int(info.page_count), chunk_count=len(rows), metadata_=metadata, error_message="",
            )
            if moved is None:  # a newer version or a delete overtook this one
                return None
            await replace_chunks(session, knowledge.id, rows)
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
    def _row(knowledge: Knowledge, index: int, chunk: docreader_pb2.Chunk) -> dict[str, Any]:
        images = [
            {"url": image.url, "caption": image.caption, "ocr_text": image.ocr_text,
             "storage_key": image.storage_key, "start": image.start, "end": image.end}
            for image in chunk.images
        ]
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
