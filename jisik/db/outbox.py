"""Writing transactional outbox rows: how a request announces a document event.

A row is added to the caller's session, so it commits (and reaches Kafka through cdc/) if and only
if the change it announces commits. Every event a request starts (documents.uploaded: upload, URL
import, publish, reprocess) goes this way.

The ingest stage workers publish their next event (documents.parsed / validated / indexed / failed)
straight to Kafka instead, on purpose: the event follows a status the worker already committed, and
that status is the record. If the publish is lost (broker down, worker killed between commit and
send), ingest/redrive.py rebuilds the event from the status and sends it again; workers drop
duplicates by version and status. Going through the outbox would add the relay's hop (p95 ~230 ms in
bench/cdc_relay.py) to every stage of every document and buy no guarantee the re-driver does not give.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from jisik.db.models import OutboxEvent
from jisik.events import DocumentEvent, Topic
from jisik.telemetry import inject_headers

__all__ = ["AGGREGATE_KNOWLEDGE", "add_event", "add_record"]

AGGREGATE_KNOWLEDGE = "knowledge"


def add_event(session: AsyncSession, event: DocumentEvent) -> OutboxEvent:
    """Stage ``event`` in the session's transaction, with the current trace context as headers."""
    return add_record(
        session, tenant_id=event.tenant_id, topic=event.topic, aggregate_type=AGGREGATE_KNOWLEDGE,
        aggregate_id=event.knowledge_id, payload=event.model_dump(mode="json"),
    )


def add_record(
    session: AsyncSession, *, tenant_id: str, topic: Topic, aggregate_type: str, aggregate_id: str,
    payload: dict[str, Any],
) -> OutboxEvent:
    """Stage one outbox row for ``topic`` (keyed by ``aggregate_id``) in the session's transaction."""
    row = OutboxEvent(
        tenant_id=tenant_id,
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id,
        event_type=topic.value,
        payload=payload,
        headers={name: value.decode() for name, value in inject_headers()},
    )
    session.add(row)
    return row
