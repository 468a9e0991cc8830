"""Writing transactional outbox rows: the only way jisik code announces a document event.

A row is added to the caller's session, so it commits (and reaches Kafka through cdc/) if and only
if the change it announces commits.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from jisik.db.models import OutboxEvent
from jisik.events import DocumentEvent
from jisik.telemetry import inject_headers

__all__ = ["AGGREGATE_KNOWLEDGE", "add_event"]

AGGREGATE_KNOWLEDGE = "knowledge"


def add_event(session: AsyncSession, event: DocumentEvent) -> OutboxEvent:
    """Stage ``event`` in the session's transaction, with the current trace context as headers."""
    row = OutboxEvent(
        tenant_id=event.tenant_id,
        aggregate_type=AGGREGATE_KNOWLEDGE,
        aggregate_id=event.knowledge_id,
        event_type=event.topic.value,
        payload=event.model_dump(mode="json"),
        headers={name: value.decode() for name, value in inject_headers()},
    )
    session.add(row)
    return row
