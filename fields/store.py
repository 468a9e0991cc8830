"""The database side of fields: schema versions, each document's validated fields, reviews, duplicates.
Every query is scoped to a tenant."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from jisik.db.models import DocumentFields, FieldSchemaVersion, Knowledge

from .evaluate import Outcome
from .normalize import find_value
from .schema import FieldSchema

__all__ = [
    "current_schema",
    "documents_matching",
    "find_duplicate",
    "load_fields",
    "reviewed_values",
    "save_outcome",
    "save_schema",
]


async def current_schema(
    session: AsyncSession, tenant_id: str, knowledge_base_id: str
) -> tuple[int, FieldSchema] | None:
    """The schema in force (highest version) and its version; None when the knowledge base has none."""
    row = (
        await session.execute(
            select(FieldSchemaVersion)
            .where(col(FieldSchemaVersion.tenant_id) == tenant_id,
                   col(FieldSchemaVersion.knowledge_base_id) == knowledge_base_id)
            .order_by(col(FieldSchemaVersion.version).desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    return (row.version, FieldSchema.model_validate(row.body)) if row is not None else None


async def save_schema(session: AsyncSession, tenant_id: str, knowledge_base_id: str, schema: FieldSchema) -> int:
    """Store ``schema`` as the next version; returns the version number."""
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(f"schema:{knowledge_base_id}", 0))))
    latest = (
        await session.execute(
            select(func.max(FieldSchemaVersion.version)).where(
                col(FieldSchemaVersion.knowledge_base_id) == knowledge_base_id)
        )
    ).scalar_one_or_none()
    version = (latest or 0) + 1
    session.add(FieldSchemaVersion(tenant_id=tenant_id, knowledge_base_id=knowledge_base_id, version=version,
                                   body=schema.model_dump(mode="json")))
    await session.flush()
    return version


async def load_fields(
    session: AsyncSession, tenant_id: str, knowledge_id: str, *, lock: bool = False
) -> DocumentFields | None:
    query = select(DocumentFields).where(col(DocumentFields.tenant_id) == tenant_id,
                                         col(DocumentFields.knowledge_id) == knowledge_id)
    if lock:
        query = query.with_for_update(nowait=True)
    return (await session.execute(query)).scalar_one_or_none()


def reviewed_values(row: DocumentFields | None, file_hash: str) -> dict[str, str]:
    """Values a person set on this document, kept as long as the file is the same."""
    if row is None or not row.reviewed_by or row.file_hash != file_hash:
        return {}
    return {str(item["name"]): str(item["value"]) for item in row.fields if item.get("reviewed")}


async def find_duplicate(
    session: AsyncSession, knowledge: Knowledge, key: list[str], values: dict[str, str]
) -> str:
    """Id of an earlier document of the knowledge base with the same ``key`` values; '' when none."""
    if not key or any(not values.get(name) for name in key):
        return ""
    wanted = {name: values[name] for name in key}
    found = (
        await session.execute(
            select(col(DocumentFields.knowledge_id))
            .join(Knowledge, col(Knowledge.id) == col(DocumentFields.knowledge_id))
            .where(
                col(DocumentFields.tenant_id) == knowledge.tenant_id,
                col(DocumentFields.knowledge_base_id) == knowledge.knowledge_base_id,
                col(DocumentFields.knowledge_id) != knowledge.id,
                col(DocumentFields.validated_data).contains(wanted),
                col(Knowledge.created_at) < knowledge.created_at,
            )
            .order_by(col(Knowledge.created_at))
            .limit(1)
        )
    ).scalar_one_or_none()
    return found or ""


async def save_outcome(
    session: AsyncSession,
    knowledge: Knowledge,
    outcome: Outcome,
    *,
    schema_version: int,
    file_hash: str,
    reviewer: str = "",
) -> DocumentFields:
    """Write the document's fields (one row per document), bumping its revision."""
    row = await session.get(DocumentFields, knowledge.id)
    values: dict[str, Any] = {
        "tenant_id": knowledge.tenant_id,
        "knowledge_base_id": knowledge.knowledge_base_id,
        "schema_version": schema_version,
        "document_version": knowledge.version,
        "file_hash": file_hash,
        "status": outcome.status.value,
        "fields": outcome.as_json()["fields"],
        "errors": outcome.errors,
        "validated_data": outcome.validated_data,
        "duplicate_of": outcome.duplicate_of,
    }
    if reviewer:
        values |= {"reviewed_by": reviewer, "reviewed_at": datetime.now(UTC)}
    elif row is not None and row.file_hash != file_hash:
        values |= {"reviewed_by": "", "reviewed_at": None}
    if row is None:
        row = DocumentFields(knowledge_id=knowledge.id, **values)
    else:
        for name, value in values.items():
            setattr(row, name, value)
        row.revision += 1
    session.add(row)
    await session.flush()
    return row


MAX_FILTERED_DOCUMENTS = 10_000


async def documents_matching(
    session: AsyncSession, tenant_id: str, knowledge_base_ids: list[str], filters: dict[str, str]
) -> list[str]:
    """Ids of the documents whose validated fields equal every filter value. A value is compared in the
    canonical form of its field's type (``1234567890`` finds ``123-45-67890``)."""
    found: list[str] = []
    for knowledge_base_id in knowledge_base_ids:
        schema = await current_schema(session, tenant_id, knowledge_base_id)
        wanted: dict[str, str] = {}
        for name, value in filters.items():
            spec = schema[1].field(name) if schema else None
            normalized = find_value(spec, value) if spec is not None else None
            wanted[name] = normalized.normalized if normalized is not None else " ".join(value.split())
        rows = await session.execute(
            select(col(DocumentFields.knowledge_id))
            .where(col(DocumentFields.tenant_id) == tenant_id,
                   col(DocumentFields.knowledge_base_id) == knowledge_base_id,
                   col(DocumentFields.validated_data).contains(wanted))
            .limit(MAX_FILTERED_DOCUMENTS)
        )
        found.extend(rows.scalars())
    return found
