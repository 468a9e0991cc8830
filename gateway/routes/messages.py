"""Messages of a session: paged history and deletion."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from jisik.errors import NotFound

from ..access import ChatOwnerDep
from ..deps import SessionDep, TenantDep, require_scope
from ..repositories import messages as repo
from ..repositories.sessions import get_session
from ..schemas.common import Envelope
from ..schemas.session import MessagePublic, ModelInputPublic

router = APIRouter(prefix="/messages", tags=["messages"])


@router.get(
    "/{session_id}/load", response_model=Envelope[list[MessagePublic]],
    dependencies=[require_scope("read")],
)
async def load(
    session_id: str,
    tenant: TenantDep,
    owner: ChatOwnerDep,
    session: SessionDep,
    before_time: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> dict[str, Any]:
    """The ``limit`` messages before ``before_time`` (default: the latest), oldest first."""
    await get_session(session=session, tenant_id=tenant.id, session_id=session_id, owner=owner)
    rows = await repo.load_messages(
        session=session, tenant_id=tenant.id, session_id=session_id, before_time=before_time, limit=limit
    )
    return {"success": True, "data": rows}


@router.get(
    "/{session_id}/{message_id}/model-input", response_model=Envelope[ModelInputPublic],
    dependencies=[require_scope("read")],
)
async def model_input(
    session_id: str, message_id: str, tenant: TenantDep, owner: ChatOwnerDep, session: SessionDep
) -> dict[str, Any]:
    """What the model saw: the answer's prompt as the chat model received it, with placeholders where the
    tenant's PII mask replaced personal data. 404 when the answer has none (no model was called)."""
    await get_session(session=session, tenant_id=tenant.id, session_id=session_id, owner=owner)
    message = await repo.get_message(session=session, tenant_id=tenant.id, message_id=message_id, session_id=session_id)
    if message.model_input is None:
        raise NotFound(f"message {message_id} has no recorded model input", field="message_id")
    return {"success": True, "data": message.model_input}


@router.delete(
    "/{session_id}/{message_id}", response_model=Envelope[None],
    dependencies=[require_scope("write")],
)
async def delete(
    session_id: str, message_id: str, tenant: TenantDep, owner: ChatOwnerDep, session: SessionDep
) -> dict[str, Any]:
    await get_session(session=session, tenant_id=tenant.id, session_id=session_id, owner=owner)
    message = await repo.get_message(session=session, tenant_id=tenant.id, message_id=message_id, session_id=session_id)
    await repo.delete_message(session=session, message=message)
    return {"success": True, "data": None}
