"""People of the tenant: list, invite, change role, disable, remove; service accounts; seats."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter

from jisik.accounts import people

from ..deps import ActorDep, SessionDep, SettingsDep, TenantDep, require_scope
from ..schemas.accounts import (
    InvitationCreate,
    InvitationCreated,
    InvitationPublic,
    SeatsPublic,
    ServiceAccountCreate,
    UserPublic,
    UserUpdate,
)
from ..schemas.common import Envelope

router = APIRouter(tags=["users"])


def _ok(data: Any) -> dict[str, Any]:
    return {"success": True, "data": data}


@router.get("/users", response_model=Envelope[list[UserPublic]], dependencies=[require_scope("read")])
async def list_users(tenant: TenantDep, session: SessionDep) -> dict[str, Any]:
    """People and service accounts of the tenant (anyone may see who can be put on an access list)."""
    return _ok(await people.list_users(session, tenant.id))


@router.get("/users/seats", response_model=Envelope[SeatsPublic], dependencies=[require_scope("read")])
async def seats(tenant: TenantDep, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """Seats used (active people), open invitations, and the limit."""
    return _ok(await people.seat_usage(session, tenant, settings, datetime.now(UTC)))


@router.patch("/users/{user_id}", response_model=Envelope[UserPublic], dependencies=[require_scope("admin")])
async def update_user(
    user_id: str, body: UserUpdate, actor: ActorDep, tenant: TenantDep, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    """Change a role, a name, or disable / enable; a disabled user's sessions and keys stop at once."""
    user = await people.update_user(
        session, actor, tenant, settings, datetime.now(UTC), user_id,
        role=body.role, disabled=body.disabled, name=body.name,
    )
    return _ok(user)


@router.delete("/users/{user_id}", response_model=Envelope[None], dependencies=[require_scope("admin")])
async def remove_user(user_id: str, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    """Remove a person or service account with their sessions, keys and group memberships."""
    await people.remove_user(session, actor, user_id)
    return _ok(None)


@router.post(
    "/users/service-accounts", status_code=201, response_model=Envelope[UserPublic],
    dependencies=[require_scope("admin")],
)
async def add_service_account(body: ServiceAccountCreate, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    """An account for scripts: it holds API keys, cannot sign in and takes no seat."""
    return _ok(await people.add_service_account(session, actor, name=body.name, role=body.role))


@router.get("/invitations", response_model=Envelope[list[InvitationPublic]], dependencies=[require_scope("admin")])
async def list_invitations(tenant: TenantDep, session: SessionDep) -> dict[str, Any]:
    """Open invitations (not accepted, withdrawn or expired)."""
    return _ok(await people.list_invitations(session, tenant.id, datetime.now(UTC)))


@router.post(
    "/invitations", status_code=201, response_model=Envelope[InvitationCreated], dependencies=[require_scope("admin")]
)
async def invite(
    body: InvitationCreate, actor: ActorDep, tenant: TenantDep, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    """Invite someone with a role; the token for the invitation link is in this response only. 429
    when every seat is taken (open invitations count)."""
    issued = await people.invite(
        session, actor, tenant, settings, datetime.now(UTC), email=body.email, role=body.role
    )
    return _ok({**InvitationPublic.model_validate(issued.row).model_dump(), "token": issued.token})


@router.delete("/invitations/{invitation_id}", response_model=Envelope[None], dependencies=[require_scope("admin")])
async def withdraw_invitation(invitation_id: str, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    await people.revoke_invitation(session, actor, invitation_id, datetime.now(UTC))
    return _ok(None)
