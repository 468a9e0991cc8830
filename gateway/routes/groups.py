"""Groups of users (their names are access-list principals ``group:<name>``) and their members."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from jisik.access import group_principal
from jisik.accounts import groups
from jisik.db.models import Group

from ..deps import SessionDep, TenantDep, require_scope
from ..schemas.accounts import GroupCreate, GroupPublic, GroupUpdate
from ..schemas.common import Envelope

router = APIRouter(prefix="/groups", tags=["groups"])


def _public(group: Group, member_ids: list[str]) -> GroupPublic:
    return GroupPublic(
        id=group.id, name=group.name, description=group.description, principal=group_principal(group.name),
        member_ids=sorted(member_ids), created_at=group.created_at,
    )


async def _one(session: SessionDep, tenant_id: str, group: Group) -> dict[str, Any]:
    members = await groups.members_of(session, tenant_id)
    return {"success": True, "data": _public(group, members.get(group.id, []))}


@router.get("", response_model=Envelope[list[GroupPublic]], dependencies=[require_scope("read")])
async def list_groups(tenant: TenantDep, session: SessionDep) -> dict[str, Any]:
    members = await groups.members_of(session, tenant.id)
    rows = await groups.list_groups(session, tenant.id)
    return {"success": True, "data": [_public(group, members.get(group.id, [])) for group in rows]}


@router.post("", status_code=201, response_model=Envelope[GroupPublic], dependencies=[require_scope("admin")])
async def create_group(body: GroupCreate, tenant: TenantDep, session: SessionDep) -> dict[str, Any]:
    group = await groups.create_group(session, tenant.id, name=body.name, description=body.description)
    return {"success": True, "data": _public(group, [])}


@router.patch("/{group_id}", response_model=Envelope[GroupPublic], dependencies=[require_scope("admin")])
async def update_group(group_id: str, body: GroupUpdate, tenant: TenantDep, session: SessionDep) -> dict[str, Any]:
    """Rename or describe a group (a rename changes its principal: access lists naming the old one stop
    matching)."""
    group = await groups.update_group(session, tenant.id, group_id, name=body.name, description=body.description)
    return await _one(session, tenant.id, group)


@router.delete("/{group_id}", response_model=Envelope[None], dependencies=[require_scope("admin")])
async def delete_group(group_id: str, tenant: TenantDep, session: SessionDep) -> dict[str, Any]:
    await groups.delete_group(session, tenant.id, group_id)
    return {"success": True, "data": None}


@router.put(
    "/{group_id}/members/{user_id}", response_model=Envelope[GroupPublic], dependencies=[require_scope("admin")]
)
async def add_member(group_id: str, user_id: str, tenant: TenantDep, session: SessionDep) -> dict[str, Any]:
    await groups.add_member(session, tenant.id, group_id, user_id)
    return await _one(session, tenant.id, await groups.get_group(session, tenant.id, group_id))


@router.delete(
    "/{group_id}/members/{user_id}", response_model=Envelope[GroupPublic], dependencies=[require_scope("admin")]
)
async def remove_member(group_id: str, user_id: str, tenant: TenantDep, session: SessionDep) -> dict[str, Any]:
    await groups.remove_member(session, tenant.id, group_id, user_id)
    return await _one(session, tenant.id, await groups.get_group(session, tenant.id, group_id))
