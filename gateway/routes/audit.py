"""The audit trail of the caller's tenant: who changed what, when, in which request."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from ..deps import SessionDep, SettingsDep, TenantDep, require_scope
from ..repositories.audit import list_audit_events
from ..schemas.audit import AuditEventPublic
from ..schemas.common import Paged

router = APIRouter(prefix="/audit", tags=["audit"])

_Filter = Annotated[str | None, Query(max_length=255)]


@router.get("", response_model=Paged[AuditEventPublic], dependencies=[require_scope("read")])
async def list_events(
    tenant: TenantDep,
    session: SessionDep,
    settings: SettingsDep,
    entity_type: Annotated[str | None, Query(max_length=64, description="document, knowledge_base, tenant, ...")] = None,
    entity_id: _Filter = None,
    knowledge_base_id: Annotated[str | None, Query(max_length=36, description="Everything in one knowledge base "
                                                   "(itself, its documents, their fields and reviews)")] = None,
    document_id: Annotated[str | None, Query(max_length=36, description="One document with its fields and "
                                             "reviews")] = None,
    actor: Annotated[str | None, Query(max_length=255, description="kind:id, system or unknown")] = None,
    since: Annotated[datetime | None, Query(description="Only events committed at or after this time")] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> dict[str, Any]:
    """Newest first. Events appear once the cdc process has read their transaction (usually within a
    second of the commit)."""
    page_size = min(page_size, settings.gateway.max_page_size)
    rows, total = await list_audit_events(
        session=session, tenant_id=tenant.id, entity_type=entity_type, entity_id=entity_id,
        knowledge_base_id=knowledge_base_id, document_id=document_id, actor=actor,
        since=since, page=page, page_size=page_size,
    )
    return {"success": True, "data": rows, "total": total, "page": page, "page_size": page_size}
