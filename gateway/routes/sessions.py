"""Chat sessions with their retrieval settings; stop and continue a streaming answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from jisik.db.models import ModelType

from ..access import ChatOwnerDep, owner_label
from ..deps import ActorDep, ResourcesDep, SessionDep, SettingsDep, StreamsDep, TenantDep, require_scope
from ..repositories import messages as message_repo
from ..repositories import sessions as repo
from ..repositories.knowledge_bases import check_model, require_knowledge_bases
from ..schemas.common import Envelope, Paged
from ..schemas.session import SessionCreate, SessionPublic, SessionSettingsUpdate
from ..services.chat import not_found_stream, replay_message, sse

router = APIRouter(prefix="/sessions", tags=["sessions"])

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


async def _checked(session: Any, tenant_id: str, values: dict[str, Any]) -> dict[str, Any]:
    if "knowledge_base_ids" in values:
        values["knowledge_base_ids"] = await require_knowledge_bases(
            session=session, tenant_id=tenant_id, ids=values["knowledge_base_ids"]
        )
    for field, model_type in (("rerank_model_id", ModelType.RERANK), ("summary_model_id", ModelType.KNOWLEDGE_QA)):
        if values.get(field):
            await check_model(
                session=session, tenant_id=tenant_id, model_id=values[field], model_type=model_type, field=field
            )
    return values


@router.post(
    "", status_code=201, response_model=Envelope[SessionPublic],
    dependencies=[require_scope("read")],
)
async def create(body: SessionCreate, tenant: TenantDep, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    """A new chat session, the caller's own; unset retrieval settings take WeKnora's session defaults."""
    values = {**await _checked(session, tenant.id, body.changes()), "owner": owner_label(actor)}
    return {"success": True, "data": await repo.create_session(session=session, tenant_id=tenant.id, values=values)}


@router.get("", response_model=Paged[SessionPublic], dependencies=[require_scope("read")])
async def list_all(
    tenant: TenantDep,
    owner: ChatOwnerDep,
    session: SessionDep,
    settings: SettingsDep,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=1000)] = 20,
) -> dict[str, Any]:
    page_size = min(page_size, settings.gateway.max_page_size)
    rows, total = await repo.list_sessions(
        session=session, tenant_id=tenant.id, owner=owner, page=page, page_size=page_size
    )
    return {"success": True, "data": rows, "total": total, "page": page, "page_size": page_size}


@router.get("/continue-stream/{session_id}", dependencies=[require_scope("read")])
async def continue_stream(
    session_id: str, tenant: TenantDep, owner: ChatOwnerDep, resources: ResourcesDep
) -> StreamingResponse:
    """Resume the session's answer after a reload: every event so far, then live ones (or the stored
    answer when it already ended)."""
    async with resources.sessions() as session:
        chat_session = await repo.get_session(session=session, tenant_id=tenant.id, session_id=session_id, owner=owner)
        message = await message_repo.latest_answer(session=session, tenant_id=tenant.id, session_id=chat_session.id)
    state = resources.streams.get(chat_session.id)
    if state is not None:
        return StreamingResponse(sse(resources.streams, state), media_type="text/event-stream", headers=SSE_HEADERS)
    if message is None:
        raise not_found_stream(session_id)
    return StreamingResponse(replay_message(message), media_type="text/event-stream", headers=SSE_HEADERS)


@router.get("/{session_id}", response_model=Envelope[SessionPublic], dependencies=[require_scope("read")])
async def get(session_id: str, tenant: TenantDep, owner: ChatOwnerDep, session: SessionDep) -> dict[str, Any]:
    return {"success": True, "data": await repo.get_session(session=session, tenant_id=tenant.id, session_id=session_id, owner=owner)}


@router.put("/{session_id}", response_model=Envelope[SessionPublic], dependencies=[require_scope("write")])
async def update(
    session_id: str, body: SessionSettingsUpdate, tenant: TenantDep, owner: ChatOwnerDep, session: SessionDep
) -> dict[str, Any]:
    """Change the title or any retrieval setting."""
    chat_session = await repo.get_session(session=session, tenant_id=tenant.id, session_id=session_id, owner=owner)
    values = await _checked(session, tenant.id, body.changes())
    return {"success": True, "data": await repo.update_session(session=session, chat_session=chat_session, values=values)}


@router.delete("/{session_id}", response_model=Envelope[None], dependencies=[require_scope("write")])
async def delete(
    session_id: str, tenant: TenantDep, owner: ChatOwnerDep, session: SessionDep, streams: StreamsDep
) -> dict[str, Any]:
    """Delete the session and its messages; a streaming answer is stopped first."""
    chat_session = await repo.get_session(session=session, tenant_id=tenant.id, session_id=session_id, owner=owner)
    await streams.stop(chat_session.id, "session deleted")
    await repo.delete_session(session=session, chat_session=chat_session)
    return {"success": True, "data": None}


@router.post(
    "/{session_id}/stop", response_model=Envelope[dict[str, bool]],
    dependencies=[require_scope("read")],
)
async def stop(
    session_id: str, tenant: TenantDep, owner: ChatOwnerDep, session: SessionDep, resources: ResourcesDep
) -> dict[str, Any]:
    """Stop the answer being generated; the partial answer is stored as interrupted."""
    chat_session = await repo.get_session(session=session, tenant_id=tenant.id, session_id=session_id, owner=owner)
    stopped = await resources.streams.stop(chat_session.id, "stopped by the user")
    return {"success": True, "data": {"stopped": stopped}}
