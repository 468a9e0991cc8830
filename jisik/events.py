"""Kafka topics and the JSON event schemas carried on them.

Every event is keyed by document id, carries ``tenant_id`` and a
``schema_version``, and travels with a W3C ``traceparent`` header.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from jisik.pii import scrub

__all__ = [
    "DocumentEvent",
    "DocumentFailed",
    "DocumentIndexed",
    "DocumentParsed",
    "DocumentUploaded",
    "DocumentValidated",
    "Topic",
    "cdc_topic",
    "event_model_for",
]


class Topic(StrEnum):
    DOCUMENTS_UPLOADED = "documents.uploaded"
    DOCUMENTS_PARSED = "documents.parsed"
    DOCUMENTS_VALIDATED = "documents.validated"
    DOCUMENTS_INDEXED = "documents.indexed"
    DOCUMENTS_FAILED = "documents.failed"
    INDEX_META = "index.meta"
    ML_TRAINING_JOBS = "ml.training.jobs"
    ML_MODELS_REGISTERED = "ml.models.registered"


# Tables whose change topic is not db.<table> (Debezium routes them the same way, see docker-compose.yml).
_CDC_TOPIC_NAMES = {"usage_records": "db.usage"}


def cdc_topic(table: str) -> str:
    """Topic of the Debezium-format change events of one table."""
    return _CDC_TOPIC_NAMES.get(table, f"db.{table}")


def _now_ms() -> int:
    return int(datetime.now(UTC).timestamp() * 1000)


class DocumentEvent(BaseModel):
    """Fields every documents.* event shares."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    topic: ClassVar[Topic]

    schema_version: Literal[1] = 1
    tenant_id: str
    knowledge_base_id: str
    knowledge_id: str
    # Document version the event belongs to; workers drop events older than the row's version.
    version: int = 1
    attempt: int = 0
    ts_ms: int = Field(default_factory=_now_ms)

    @property
    def key(self) -> bytes:
        return self.knowledge_id.encode()


class DocumentUploaded(DocumentEvent):
    topic: ClassVar[Topic] = Topic.DOCUMENTS_UPLOADED

    storage_key: str = ""
    file_name: str = ""
    file_type: str = ""
    source_url: str = ""
    chunking: dict[str, Any] = Field(default_factory=dict)
    enable_multimodal: bool = False
    # Values the uploader expects in the document (field name -> value).
    expected_fields: dict[str, str] = Field(default_factory=dict)


class DocumentParsed(DocumentEvent):
    topic: ClassVar[Topic] = Topic.DOCUMENTS_PARSED

    page_count: int
    chunk_count: int
    content_hash: str


class DocumentValidated(DocumentEvent):
    topic: ClassVar[Topic] = Topic.DOCUMENTS_VALIDATED

    chunk_count: int
    language: str = ""
    # Field validation (empty when the knowledge base has no field schema): normalised values by field name,
    # auto_approved / needs_review / rejected / approved, errors naming field and rule, the duplicate's id.
    validated_data: dict[str, str] = Field(default_factory=dict)
    status: str = ""
    errors: list[dict[str, str]] = Field(default_factory=list)
    duplicate: str = ""


class DocumentIndexed(DocumentEvent):
    """The pipeline's last word on a document. No jisik process consumes it (the row's COMPLETED status
    is what the gateway and the UI read); it is published for consumers outside jisik (webhooks,
    analytics)."""

    topic: ClassVar[Topic] = Topic.DOCUMENTS_INDEXED

    chunk_count: int
    embedding_model: str = ""


class DocumentFailed(DocumentEvent):
    topic: ClassVar[Topic] = Topic.DOCUMENTS_FAILED

    stage: str
    reason: str
    failed_topic: str

    @field_validator("reason")
    @classmethod
    def _no_personal_data(cls, reason: str) -> str:
        """Dead letters are read by operators and kept on a topic: values a parser or check quoted go."""
        return scrub(reason)


_BY_TOPIC: dict[str, type[DocumentEvent]] = {
    model.topic.value: model
    for model in (DocumentUploaded, DocumentParsed, DocumentValidated, DocumentIndexed, DocumentFailed)
}


def event_model_for(topic: str) -> type[DocumentEvent]:
    """The schema of a documents.* topic; KeyError for any other topic."""
    return _BY_TOPIC[topic]
