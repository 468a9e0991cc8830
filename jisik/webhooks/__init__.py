"""Signed webhooks (Standard Webhooks): event types and schemas, staging events in the caller's
transaction, endpoints, and the delivery worker.

Emit an event from any transaction with::

    await stage_webhook_event(session, tenant_id, EventType.DOCUMENT_INDEXED, DocumentIndexedData(...))
"""

from .events import (
    AnswerReady,
    BillingThreshold,
    DocumentFailedData,
    DocumentIndexedData,
    DocumentValidatedData,
    EventData,
    EventType,
    ModelUpdated,
    ReviewCompleted,
    event_schemas,
)
from .staging import stage_webhook_event, staging_statement

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
    "event_schemas",
    "stage_webhook_event",
    "staging_statement",
]
