"""A person's review of a document's fields: corrections re-run the checks, the decision sets the final
status, the change is stored as labelled examples (who, when, before -> after) and documents.validated
is announced again through the outbox (and as review.completed and document.validated webhooks)."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from jisik.db.models import DocumentFields, FieldReview, Knowledge
from jisik.db.outbox import add_event
from jisik.errors import Conflict, InvalidInput, NotFound
from jisik.events import DocumentValidated
from jisik.webhooks import EventType, ReviewCompleted, stage_webhook_event
from jisik.webhooks.documents import validated_data

from .evaluate import Status, evaluate
from .extract import Extracted
from .store import current_schema, load_fields, save_outcome

__all__ = ["review_document", "stored_readings"]

MAX_CORRECTION_CHARS = 2000


def stored_readings(row: DocumentFields) -> dict[str, Extracted]:
    """The machine readings kept in the row (a person's earlier values count as readings too)."""
    readings: dict[str, Extracted] = {}
    for item in row.fields:
        bbox = item.get("bbox")
        readings[str(item["name"])] = Extracted(
            name=str(item["name"]), value=str(item.get("value", "")), normalized=str(item.get("normalized", "")),
            confidence=float(item.get("confidence", 0.0)), page=item.get("page"),
            bbox=tuple(bbox) if bbox else None, source_text=str(item.get("source_text", "")),
            note=str(item.get("note", "")),
        )
    return readings


async def _locked_fields(session: AsyncSession, tenant_id: str, knowledge_id: str) -> DocumentFields:
    try:
        row = await load_fields(session, tenant_id, knowledge_id, lock=True)
    except DBAPIError as exc:  # NOWAIT: another review holds the row
        raise Conflict("another review of this document is in progress", field="knowledge_id") from exc
    if row is None:
        raise NotFound(f"document {knowledge_id} has no extracted fields", field="knowledge_id")
    return row


async def review_document(
    session: AsyncSession,
    *,
    tenant_id: str,
    knowledge_id: str,
    decision: Literal["approve", "reject"],
    corrections: dict[str, str],
    comment: str,
    reviewer: str,
    revision: int | None,
) -> DocumentFields:
    """Apply a review. :raises NotFound: no such document (for this tenant) or no fields.
    :raises Conflict: a concurrent review, or ``revision`` is not the current one.
    :raises InvalidInput: a correction names an unknown field."""
    knowledge = await session.get(Knowledge, knowledge_id)
    if knowledge is None or knowledge.tenant_id != tenant_id:
        raise NotFound(f"document {knowledge_id} not found", field="knowledge_id")
    row = await _locked_fields(session, tenant_id, knowledge_id)
    if revision is not None and revision != row.revision:
        raise Conflict("the fields changed since they were loaded; reload and review again", field="revision")
    found = await current_schema(session, tenant_id, knowledge.knowledge_base_id)
    if found is None:
        raise NotFound("the knowledge base has no field schema", field="knowledge_id")
    version, schema = found
    for name, value in corrections.items():
        if schema.field(name) is None:
            raise InvalidInput(f"corrections.{name}: unknown field", field=f"corrections.{name}")
        if len(value) > MAX_CORRECTION_CHARS:
            raise InvalidInput(f"corrections.{name}: longer than {MAX_CORRECTION_CHARS} characters",
                               field=f"corrections.{name}")
    readings = stored_readings(row)
    kept = {str(item["name"]): str(item["value"]) for item in row.fields if item.get("reviewed")}
    outcome = evaluate(schema, readings, expected={str(k): str(v) for k, v in knowledge.expected_fields.items()},
                       corrections={**kept, **corrections}, duplicate_of=row.duplicate_of)
    outcome.status = Status.APPROVED if decision == "approve" else Status.REJECTED
    if decision == "approve":  # every value is now confirmed by a person
        for result in outcome.fields:
            result.reviewed = True
    labelled: dict[str, Any] = {
        name: {"before": readings[name].value if name in readings else None, "after": value,
               "source_text": readings[name].source_text if name in readings else "",
               "page": readings[name].page if name in readings else None,
               "bbox": list(readings[name].bbox or []) if name in readings else None}
        for name, value in corrections.items()
    }
    review = FieldReview(
        tenant_id=tenant_id, knowledge_base_id=knowledge.knowledge_base_id, knowledge_id=knowledge_id,
        decision=decision, reviewer=reviewer, comment=comment, corrections=labelled, final_status=outcome.status,
    )
    session.add(review)
    saved = await save_outcome(session, knowledge, outcome, schema_version=version, file_hash=row.file_hash,
                               reviewer=reviewer)
    validated = DocumentValidated(
        tenant_id=tenant_id, knowledge_base_id=knowledge.knowledge_base_id, knowledge_id=knowledge_id,
        version=knowledge.version, chunk_count=knowledge.chunk_count,
        language=str(knowledge.metadata_.get("language", "")), validated_data=outcome.validated_data,
        status=outcome.status.value, errors=outcome.errors, duplicate=outcome.duplicate_of,
    )
    add_event(session, validated)
    await stage_webhook_event(session, tenant_id, EventType.REVIEW_COMPLETED, ReviewCompleted(
        knowledge_base_id=knowledge.knowledge_base_id, knowledge_id=knowledge_id, review_id=review.id,
        decision=decision, final_status=outcome.status.value, reviewer=reviewer, corrected_fields=sorted(corrections),
    ))
    await stage_webhook_event(session, tenant_id, EventType.DOCUMENT_VALIDATED, validated_data(validated))
    return saved
