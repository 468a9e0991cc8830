"""Field schema per knowledge base, the fields of a document, the review queue and reviews."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import func, select
from sqlmodel import col

from fields.evaluate import Status, evaluate
from fields.extract import extract_fields
from fields.reading import document_layout
from fields.review import review_document
from fields.schema import FieldSchema, parse_schema
from fields.store import current_schema, load_fields, save_schema
from jisik.db.models import Chunk, DocumentFields, Knowledge
from jisik.errors import InvalidInput, NotFound

from ..access import AccessDep
from ..deps import ActorDep, ResourcesDep, SessionDep, SettingsDep, StoreDep, TenantDep, require_scope
from ..repositories.knowledge import get_knowledge
from ..repositories.knowledge_bases import get_knowledge_base
from ..repositories.readable import readable_by
from ..schemas.common import Envelope, Paged
from ..schemas.fields import (
    DocumentFieldsPublic,
    FieldSchemaPublic,
    ReviewQueueItem,
    ReviewRequest,
    SchemaPreviewRequest,
)

router = APIRouter(tags=["fields"])

_STATUSES = {status.value for status in Status}
# The status of a document no field was read from (no schema, or not validated yet).
NOT_EXTRACTED = "not_extracted"


def _ok(data: Any) -> dict[str, Any]:
    return {"success": True, "data": data}


def _schema_public(version: int, schema: FieldSchema) -> dict[str, Any]:
    return {"version": version, **schema.model_dump(mode="json")}


async def _json_body(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError as exc:
        raise InvalidInput("malformed JSON body", field="body") from exc


@router.put(
    "/knowledge-bases/{knowledge_base_id}/field-schema", response_model=Envelope[FieldSchemaPublic],
    dependencies=[require_scope("write")],
)
async def put_schema(knowledge_base_id: str, request: Request, tenant: TenantDep, session: SessionDep) -> dict[str, Any]:
    """Save a new version of the field schema: fields, cross-field rules, duplicate key, review threshold.
    422 names the offending field or rule. Documents validated from now on use it."""
    schema = parse_schema(await _json_body(request))
    await get_knowledge_base(session=session, tenant_id=tenant.id, knowledge_base_id=knowledge_base_id)
    version = await save_schema(session, tenant.id, knowledge_base_id, schema)
    return _ok(_schema_public(version, schema))


@router.get(
    "/knowledge-bases/{knowledge_base_id}/field-schema", response_model=Envelope[FieldSchemaPublic],
    dependencies=[require_scope("read")],
)
async def get_schema(knowledge_base_id: str, tenant: TenantDep, session: SessionDep) -> dict[str, Any]:
    """The schema in force; version 0 and no fields when none was saved."""
    await get_knowledge_base(session=session, tenant_id=tenant.id, knowledge_base_id=knowledge_base_id)
    found = await current_schema(session, tenant.id, knowledge_base_id)
    return _ok(_schema_public(*found) if found else _schema_public(0, FieldSchema.model_validate({})))


@router.post(
    "/knowledge-bases/{knowledge_base_id}/field-schema/preview", response_model=Envelope[dict[str, Any]],
    dependencies=[require_scope("write")],
)
async def preview_schema(
    knowledge_base_id: str, body: SchemaPreviewRequest, tenant: TenantDep, access: AccessDep, session: SessionDep,
    store: StoreDep, settings: SettingsDep,
) -> dict[str, Any]:
    """Try an unsaved schema on one document of the knowledge base: what would be read and checked."""
    schema = parse_schema(body.field_schema)
    knowledge = await get_knowledge(
        session=session, tenant_id=tenant.id, knowledge_id=body.knowledge_id, access=access
    )
    if knowledge.knowledge_base_id != knowledge_base_id:
        raise NotFound(f"document {body.knowledge_id} not found", field="knowledge_id")
    chunks = (await session.execute(
        select(col(Chunk.content)).where(col(Chunk.knowledge_id) == knowledge.id).order_by(col(Chunk.chunk_index))
    )).scalars().all()
    layout = await document_layout(knowledge, list(chunks), store, ocr=settings.docreader.ocr_engine != "none",
                                   languages=settings.ingest.fields_ocr_languages)
    outcome = evaluate(schema, extract_fields(layout, schema),
                       expected={str(k): str(v) for k, v in knowledge.expected_fields.items()})
    return _ok(outcome.as_json())


@router.get(
    "/knowledge/{knowledge_id}/fields", response_model=Envelope[DocumentFieldsPublic],
    dependencies=[require_scope("read")],
)
async def document_fields(knowledge_id: str, tenant: TenantDep, access: AccessDep, session: SessionDep) -> dict[str, Any]:
    """The document's fields with their checks, its status and errors. A document with none (its
    knowledge base has no field schema, or it is not validated yet) has status ``not_extracted``."""
    knowledge = await get_knowledge(session=session, tenant_id=tenant.id, knowledge_id=knowledge_id, access=access)
    row = await load_fields(session, tenant.id, knowledge_id)
    if row is None:
        return _ok({"knowledge_id": knowledge.id, "knowledge_base_id": knowledge.knowledge_base_id,
                    "status": NOT_EXTRACTED, "fields": [], "errors": [], "duplicate_of": "",
                    "schema_version": 0, "revision": 0, "page_count": knowledge.page_count})
    return _ok({**row.model_dump(), "page_count": knowledge.page_count})


def _queue_item(row: DocumentFields, title: str) -> dict[str, Any]:
    confidences = [float(item.get("confidence", 0)) for item in row.fields]
    return {
        "knowledge_id": row.knowledge_id, "knowledge_base_id": row.knowledge_base_id, "title": title,
        "status": row.status, "error_count": len(row.errors),
        "lowest_confidence": min(confidences) if confidences else None, "updated_at": row.updated_at,
    }


@router.get("/review-queue", response_model=Paged[ReviewQueueItem], dependencies=[require_scope("review")])
async def review_queue(
    tenant: TenantDep,
    access: AccessDep,
    session: SessionDep,
    settings: SettingsDep,
    knowledge_base_id: Annotated[str | None, Query(max_length=36)] = None,
    status: Annotated[str, Query(max_length=16)] = Status.NEEDS_REVIEW.value,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=1000)] = 20,
) -> dict[str, Any]:
    """Documents by field status, oldest first (default: those waiting for a person)."""
    if status not in _STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(sorted(_STATUSES))}", field="status")
    page_size = min(page_size, settings.gateway.max_page_size)
    query = (
        select(DocumentFields, col(Knowledge.title))
        .join(Knowledge, col(Knowledge.id) == col(DocumentFields.knowledge_id))
        .where(col(DocumentFields.tenant_id) == tenant.id, col(DocumentFields.status) == status)
        .where(readable_by(access))
        .order_by(col(DocumentFields.updated_at), col(DocumentFields.knowledge_id))
    )
    if knowledge_base_id:
        query = query.where(col(DocumentFields.knowledge_base_id) == knowledge_base_id)
    total = (await session.execute(select(func.count()).select_from(query.order_by(None).subquery()))).scalar_one()
    rows = (await session.execute(query.offset((page - 1) * page_size).limit(page_size))).all()
    data = [_queue_item(row, title) for row, title in rows]
    return {"success": True, "data": data, "total": int(total), "page": page, "page_size": page_size}


@router.get(
    "/knowledge-bases/{knowledge_base_id}/review-counts", response_model=Envelope[dict[str, int]],
    dependencies=[require_scope("read")],
)
async def review_counts(knowledge_base_id: str, tenant: TenantDep, session: SessionDep) -> dict[str, Any]:
    """How many documents of the knowledge base are in each field status."""
    await get_knowledge_base(session=session, tenant_id=tenant.id, knowledge_base_id=knowledge_base_id)
    rows = (await session.execute(
        select(col(DocumentFields.status), func.count())
        .where(col(DocumentFields.tenant_id) == tenant.id, col(DocumentFields.knowledge_base_id) == knowledge_base_id)
        .group_by(col(DocumentFields.status))
    )).all()
    return _ok({status: 0 for status in sorted(_STATUSES)} | {str(status): int(count) for status, count in rows})


@router.post(
    "/knowledge/{knowledge_id}/review", response_model=Envelope[DocumentFieldsPublic],
    dependencies=[require_scope("review")],
)
async def review(
    knowledge_id: str, body: ReviewRequest, tenant: TenantDep, actor: ActorDep, access: AccessDep,
    session: SessionDep, resources: ResourcesDep,
) -> dict[str, Any]:
    """Approve or reject the document's fields, with corrections; 409 when another review is in progress
    or the fields changed since ``revision``."""
    knowledge = await get_knowledge(session=session, tenant_id=tenant.id, knowledge_id=knowledge_id, access=access)
    row = await review_document(
        session, tenant_id=tenant.id, knowledge_id=knowledge_id, decision=body.decision,
        corrections=body.corrections, comment=body.comment,
        reviewer=body.reviewer.strip() or actor.label, revision=body.revision,
    )
    return _ok({**row.model_dump(), "page_count": knowledge.page_count})

