"""Building the event a document needs next, from its row: used when a document is queued and by the
re-driver, which rebuilds lost events from the database (the system of record)."""

from __future__ import annotations

from jisik.db.models import Knowledge, KnowledgeBase, KnowledgeType, ParseStatus
from jisik.events import DocumentEvent, DocumentParsed, DocumentUploaded, DocumentValidated

__all__ = ["pending_event", "uploaded_event"]


def uploaded_event(knowledge: Knowledge, knowledge_base: KnowledgeBase) -> DocumentUploaded:
    return DocumentUploaded(
        tenant_id=knowledge.tenant_id,
        knowledge_base_id=knowledge.knowledge_base_id,
        knowledge_id=knowledge.id,
        version=knowledge.version,
        storage_key=knowledge.storage_key,
        file_name=knowledge.file_name,
        file_type=knowledge.file_type,
        source_url=knowledge.source if knowledge.type == KnowledgeType.URL else "",
        chunking=dict(knowledge_base.chunking_config),
        enable_multimodal=bool(knowledge_base.image_processing_config.get("enable_multimodal", False)),
        expected_fields={str(k): str(v) for k, v in knowledge.expected_fields.items()},
    )


def pending_event(knowledge: Knowledge, knowledge_base: KnowledgeBase) -> DocumentEvent | None:
    """The event that moves a non-terminal document on from its current status; None when terminal."""
    common = {
        "tenant_id": knowledge.tenant_id,
        "knowledge_base_id": knowledge.knowledge_base_id,
        "knowledge_id": knowledge.id,
        "version": knowledge.version,
    }
    status = knowledge.parse_status
    if status in (ParseStatus.PENDING, ParseStatus.PARSING):
        return uploaded_event(knowledge, knowledge_base)
    if status == ParseStatus.VALIDATING:
        return DocumentParsed(
            **common,
            page_count=knowledge.page_count,
            chunk_count=knowledge.chunk_count,
            content_hash=str(knowledge.metadata_.get("content_hash", "")),
        )
    if status in (ParseStatus.EMBEDDING, ParseStatus.INDEXING):
        return DocumentValidated(
            **common, chunk_count=knowledge.chunk_count, language=str(knowledge.metadata_.get("language", ""))
        )
    return None
