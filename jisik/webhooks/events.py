"""Webhook event types and the versioned JSON schema of each event's ``data``.

A delivered body follows the Standard Webhooks shape::

    {"type": "document.indexed", "version": 1, "timestamp": "2026-12-06T21:00:00Z", "data": {...}}

``version`` is the schema version of ``data`` for that type; a change that removes or renames a field
gets a new version. Receivers ignore fields they do not know. :func:`event_schemas` is the documented
schema of every type (served at ``GET /api/v1/webhooks/event-types``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from jisik.errors import InvalidInput

__all__ = [
    "AnswerReady",
    "BillingThreshold",
    "DocumentFailedData",
    "DocumentIndexedData",
    "DocumentValidatedData",
    "EventData",
    "EventType",
    "ModelUpdated",
    "ReviewCompleted",
    "data_model",
    "event_schemas",
    "validate_data",
]


class EventType(StrEnum):
    DOCUMENT_VALIDATED = "document.validated"
    DOCUMENT_INDEXED = "document.indexed"
    DOCUMENT_FAILED = "document.failed"
    REVIEW_COMPLETED = "review.completed"
    RAG_ANSWER_READY = "rag.answer.ready"
    BILLING_THRESHOLD = "billing.threshold"
    ML_MODEL_UPDATED = "ml.model.updated"


class EventData(BaseModel):
    """Base of every event's ``data``. Unknown fields are refused so a typo fails at the emitter."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class _DocumentData(EventData):
    knowledge_base_id: str = Field(description="Knowledge base of the document")
    knowledge_id: str = Field(description="Document id")
    version: int = Field(1, ge=1, description="Document version (bumped by every reprocess)")


class DocumentValidatedData(_DocumentData):
    """The document was parsed and passed its checks; fields are read when the knowledge base has a
    field schema."""

    chunk_count: int = Field(ge=0)
    language: str = ""
    status: str = Field("", description="auto_approved, needs_review, rejected or approved; empty without a schema")
    validated_data: dict[str, str] = Field(default_factory=dict, description="Normalised field values by name")
    errors: list[dict[str, str]] = Field(default_factory=list, description="Failed rules: field, rule, message")
    duplicate_of: str = Field("", description="Id of a document with the same content, if any")


class DocumentIndexedData(_DocumentData):
    """The document is searchable."""

    chunk_count: int = Field(ge=0)
    embedding_model: str = ""


class DocumentFailedData(_DocumentData):
    """The document failed; ``reason`` is a user-facing message."""

    stage: str = Field(description="parse, validate, index, ... or 'pipeline'")
    reason: str


class ReviewCompleted(EventData):
    """A reviewer approved or rejected a document's fields."""

    knowledge_base_id: str
    knowledge_id: str
    review_id: str
    decision: Literal["approve", "reject"]
    final_status: str
    reviewer: str
    corrected_fields: list[str] = Field(default_factory=list, description="Names of the fields the reviewer changed")


class AnswerReady(EventData):
    """A chat answer was stored. The answer text is not in the event; fetch the message with the API."""

    session_id: str
    message_id: str
    request_id: str = ""
    knowledge_base_ids: list[str] = Field(default_factory=list)
    reference_count: int = Field(0, ge=0)


class BillingThreshold(EventData):
    """A tenant's usage crossed a share of its plan's limit."""

    metric: str
    period: str = Field(description="Billing period, e.g. 2026-12")
    used: float
    limit: float
    threshold: float = Field(gt=0, description="Share of the limit crossed, e.g. 0.8")


class ModelUpdated(EventData):
    """A model was registered, promoted, rolled out or rolled back."""

    model_id: str
    name: str = ""
    model_version: str = ""
    action: str = Field(description="registered, canary, promoted, rolled_back ...")
    metrics: dict[str, float] = Field(default_factory=dict)


_MODELS: dict[EventType, tuple[int, type[EventData]]] = {
    EventType.DOCUMENT_VALIDATED: (1, DocumentValidatedData),
    EventType.DOCUMENT_INDEXED: (1, DocumentIndexedData),
    EventType.DOCUMENT_FAILED: (1, DocumentFailedData),
    EventType.REVIEW_COMPLETED: (1, ReviewCompleted),
    EventType.RAG_ANSWER_READY: (1, AnswerReady),
    EventType.BILLING_THRESHOLD: (1, BillingThreshold),
    EventType.ML_MODEL_UPDATED: (1, ModelUpdated),
}


def data_model(event_type: EventType) -> tuple[int, type[EventData]]:
    """The current schema version and ``data`` model of ``event_type``."""
    return _MODELS[event_type]


def validate_data(event_type: EventType, data: EventData | dict[str, Any]) -> dict[str, Any]:
    """``data`` checked against its type's schema, as JSON-ready values.

    :raises InvalidInput: the data does not match the schema (a bug in the emitter).
    """
    _, model = _MODELS[event_type]
    if isinstance(data, EventData):
        if not isinstance(data, model):
            raise InvalidInput(f"{type(data).__name__} is not the data of {event_type.value}", field="data")
        return data.model_dump(mode="json")
    try:
        return model.model_validate(data).model_dump(mode="json")
    except ValidationError as exc:
        raise InvalidInput(f"data does not match the {event_type.value} schema: {exc.errors()[0]['msg']}",
                           field="data") from exc


def event_schemas() -> list[dict[str, Any]]:
    """Every event type with its version, description and the JSON schema of its ``data``."""
    return [
        {"type": event_type.value, "version": version, "description": (model.__doc__ or "").strip(),
         "schema": model.model_json_schema()}
        for event_type, (version, model) in _MODELS.items()
    ]
