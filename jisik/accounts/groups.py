"""Groups of users; a group's name is the access-list principal ``group:<name>``."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from jisik.db.models import Group, GroupMember
from jisik.errors import Conflict, InvalidInput, NotFound

from .people import get_user

__all__ = ["add_member", "create_group", "delete_group", "get_group", "list_groups", "members_of", "remove_member",
           "update_group"]

_MAX_NAME = 100


def _checked_name(name: str) -> str:
    clean = name.strip()
    if not clean or len(clean) > _MAX_NAME or any(not ch.isprintable() for ch in clean):
        raise InvalidInput(f"a group name has 1 to {_MAX_NAME} printable characters", field="name")
    return clean


async def _name_taken(session: AsyncSession, tenant_id: str, name: str, *, besides: str = "") -> None:
    query = select(col(Group.id)).where(col(Group.tenant_id) == tenant_id, col(Group.name) == name, col(Group.id) != besides)
    if (await session.execute(query)).first() is not None:
        raise Conflict(f"there is already a group named {name!r}", field="name")


async def get_group(session: AsyncSession, tenant_id: str, group_id: str) -> Group:
    group = await session.get(Group, group_id)
    if group is None or group.tenant_id != tenant_id:
        raise NotFound(f"group {group_id} not found", field="group_id")
    return group


async def list_groups(session: AsyncSession, tenant_id: str) -> list[Group]:
    query = select(Group).where(col(Group.tenant_id) == tenant_id).order_by(col(Group.name))
    return list((await session.execute(query)).scalars())


async def members_of(session: AsyncSession, tenant_id: str) -> dict[str, list[str]]:
    """Every group's member user ids."""
    rows = await session.execute(
        select(col(GroupMember.group_id), col(GroupMember.user_id)).where(col(GroupMember.tenant_id) == tenant_id)
    )
    members: dict[str, list[str]] = defaultdict(list)
    for group_id, user_id in rows:
        members[group_id].append(user_id)
    return members


async def create_group(session: AsyncSession, tenant_id: str, *, name: str, description: str = "") -> Group:
    clean = _checked_name(name)
    await _name_taken(session, tenant_id, clean)
    group = Group(tenant_id=tenant_id, name=clean, description=description.strip()[:1000])
    session.add(group)
    await session.flush()
    return group


async def update_group(
    session: AsyncSession, tenant_id: str, group_id: str, *, name: str | None, description: str | None
) -> Group:
    group = await get_group(session, tenant_id, group_id)
    if name is not None:
        clean = _checked_name(name)
        await _name_taken(session, tenant_id, clean, besides=group.id)
        group.name = clean
    if description is not None:
        group.description = description.strip()[:1000]
    await session.flush()
    return group


async def delete_group(session: AsyncSession, tenant_id: str, group_id: str) -> None:
    await session.delete(await get_group(session, tenant_id, group_id))
    await session.flush()


async def add_member(session: AsyncSession, tenant_id: str, group_id: str, user_id: str) -> None:
    """Idempotent: adding a member twice keeps one membership."""
    await get_group(session, tenant_id, group_id)
    await get_user(session, tenant_id, user_id)
    await session.execute(
        insert(GroupMember).values(group_id=group_id, user_id=user_id, tenant_id=tenant_id).on_conflict_do_nothing()
    )


async def remove_member(session: AsyncSession, tenant_id: str, group_id: str, user_id: str) -> None:
    await get_group(session, tenant_id, group_id)
    result = await session.execute(
        delete(GroupMember).where(col(GroupMember.group_id) == group_id, col(GroupMember.user_id) == user_id)
    )
    if not result.rowcount:  # type: ignore[attr-defined]  # a DELETE's result is a CursorResult
        raise NotFound(f"user {user_id} is not in group {group_id}", field="user_id")
