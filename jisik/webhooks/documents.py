"""The document webhook events, made from the pipeline's own events (one mapping, used by every stage
and by reviews)."""

from __future__ import annotations

from jisik.events import DocumentFailed, DocumentIndexed, DocumentValidated

from .events import DocumentFailedData, DocumentIndexedData, DocumentValidatedData

__all__ = ["failed_data", "indexed_data", "validated_data"]


def validated_data(event: DocumentValidated) -> DocumentValidatedData:
    return DocumentValidatedData(
        knowledge_base_id=event.knowledge_base_id, knowledge_id=event.knowledge_id, version=event.version,
        chunk_count=event.chunk_count, language=event.language, status=event.status,
        validated_data=event.validated_data, errors=event.errors, duplicate_of=event.duplicate,
    )


def indexed_data(event: DocumentIndexed) -> DocumentIndexedData:
    return DocumentIndexedData(
        knowledge_base_id=event.knowledge_base_id, knowledge_id=event.knowledge_id, version=event.version,
        chunk_count=event.chunk_count, embedding_model=event.embedding_model,
    )


def failed_data(event: DocumentFailed) -> DocumentFailedData:
    return DocumentFailedData(
        knowledge_base_id=event.knowledge_base_id, knowledge_id=event.knowledge_id, version=event.version,
        stage=event.stage, reason=event.reason,
    )
