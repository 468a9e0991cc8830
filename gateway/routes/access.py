"""Access lists of knowledge bases and documents: read by whoever may read the object, set by admins
and the knowledge base's owner. Search follows a change through CDC's index.meta (jisik.access)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession

from jisik.access import Access
from jisik.actors import Actor
from jisik.db.models import Knowledge, KnowledgeBase
from jisik.errors import Forbidden

from ..access import AccessDep, check_may_manage
from ..deps import ActorDep, SessionDep, require_scope
from ..repositories.knowledge import get_knowledge
from ..repositories.knowledge_bases import get_knowledge_base
from ..schemas.access import AccessListUpdate, DocumentAccess, KnowledgeBaseAccess
from ..schemas.common import Envelope
from ..services.access_lists import set_document_list, set_knowledge_base_list

router = APIRouter(tags=["access"])


def _may_manage(actor: Actor, access: Access, knowledge_base: KnowledgeBase) -> bool:
    try:
        check_may_manage(actor, access, knowledge_base)
    except Forbidden:
        return False
    return True


def _base_view(actor: Actor, access: Access, knowledge_base: KnowledgeBase) -> dict[str, Any]:
    return {"success": True, "data": {
        "knowledge_base_id": knowledge_base.id, "principals": knowledge_base.access_list,
        "owner": knowledge_base.owner, "may_manage": _may_manage(actor, access, knowledge_base),
    }}


def _document_view(actor: Actor, access: Access, knowledge: Knowledge, base: KnowledgeBase) -> dict[str, Any]:
    return {"success": True, "data": {
        "knowledge_id": knowledge.id, "principals": knowledge.access_list, "inherited": base.access_list,
        "effective": knowledge.acl_principals, "may_manage": _may_manage(actor, access, base),
    }}


@router.get(
    "/knowledge-bases/{knowledge_base_id}/access", response_model=Envelope[KnowledgeBaseAccess],
    dependencies=[require_scope("read")],
)
async def get_base_access(
    knowledge_base_id: str, actor: ActorDep, access: AccessDep, session: SessionDep
) -> dict[str, Any]:
    base = await get_knowledge_base(session=session, tenant_id=actor.tenant_id, knowledge_base_id=knowledge_base_id)
    return _base_view(actor, access, base)


@router.put(
    "/knowledge-bases/{knowledge_base_id}/access", response_model=Envelope[KnowledgeBaseAccess],
    dependencies=[require_scope("write")],
)
async def put_base_access(
    knowledge_base_id: str, body: AccessListUpdate, actor: ActorDep, access: AccessDep, session: SessionDep
) -> dict[str, Any]:
    """Set who may read the base's documents that have no list of their own (empty: everyone)."""
    base = await get_knowledge_base(
        session=session, tenant_id=actor.tenant_id, knowledge_base_id=knowledge_base_id, lock=True
    )
    check_may_manage(actor, access, base)
    await set_knowledge_base_list(session, base, body.principals)
    return _base_view(actor, access, base)


async def _document(
    session: AsyncSession, actor: Actor, access: Access, knowledge_id: str, *, lock: bool = False
) -> tuple[Knowledge, KnowledgeBase]:
    """The document and its base; with ``lock``, the base then the document are locked (the order the
    base's list update takes), so a concurrent change of the base's list cannot leave a stale list."""
    knowledge = await get_knowledge(session=session, tenant_id=actor.tenant_id, knowledge_id=knowledge_id, access=access)
    base = await get_knowledge_base(
        session=session, tenant_id=actor.tenant_id, knowledge_base_id=knowledge.knowledge_base_id, lock=lock
    )
    if lock:
        await session.refresh(knowledge, with_for_update=True)
    return knowledge, base


@router.get(
    "/knowledge/{knowledge_id}/access", response_model=Envelope[DocumentAccess],
    dependencies=[require_scope("read")],
)
async def get_document_access(
    knowledge_id: str, actor: ActorDep, access: AccessDep, session: SessionDep
) -> dict[str, Any]:
    knowledge, base = await _document(session, actor, access, knowledge_id)
    return _document_view(actor, access, knowledge, base)


@router.put(
    "/knowledge/{knowledge_id}/access", response_model=Envelope[DocumentAccess],
    dependencies=[require_scope("write")],
)
async def put_document_access(
    knowledge_id: str, body: AccessListUpdate, actor: ActorDep, access: AccessDep, session: SessionDep
) -> dict[str, Any]:
    """Set the document's own list (empty: its knowledge base's list applies)."""
    knowledge, base = await _document(session, actor, access, knowledge_id, lock=True)
    check_may_manage(actor, access, base)
    await set_document_list(session, knowledge, base, body.principals)
    return _document_view(actor, access, knowledge, base)
