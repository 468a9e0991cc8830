"""Reading the audit trail (the cdc audit processor is its only writer)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from jisik.db.models import AuditEvent

from ._paging import paged


async def list_audit_events(
    *,
    session: AsyncSession,
    tenant_id: str,
    entity_type: str | None,
    entity_id: str | None,
    knowledge_base_id: str | None,
    document_id: str | None,
    actor: str | None,
    since: datetime | None,
    page: int,
    page_size: int,
) -> tuple[list[AuditEvent], int]:
    """The tenant's audit events matching the filters, newest first."""
    query = select(AuditEvent).where(col(AuditEvent.tenant_id) == tenant_id)
    if entity_type:
        query = query.where(col(AuditEvent.entity_type) == entity_type)
    if entity_id:
        query = query.where(col(AuditEvent.entity_id) == entity_id)
    if knowledge_base_id:
        query = query.where(col(AuditEvent.knowledge_base_id) == knowledge_base_id)
    if document_id:
        query = query.where(col(AuditEvent.document_id) == document_id)
    if actor:
        query = query.where(col(AuditEvent.actor) == actor)
    if since is not None:
        query = query.where(col(AuditEvent.occurred_at) >= since)
    query = query.order_by(col(AuditEvent.occurred_at).desc(), col(AuditEvent.id).desc())
    return await paged(session, query, page=page, page_size=page_size)
