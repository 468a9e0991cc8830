"""The actor of a user: role, scopes and the access-list principals it matches."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from jisik.access import group_principal, user_principal
from jisik.actors import Actor, ActorKind
from jisik.db.models import Group, GroupMember, Tenant, User

from .roles import ALL_SCOPES, ROLE_SCOPES, Scope, checked_role

__all__ = ["bootstrap_actor", "user_actor"]


async def _group_names(session: AsyncSession, user_id: str) -> list[str]:
    query = (
        select(col(Group.name)).join(GroupMember, col(GroupMember.group_id) == col(Group.id))
        .where(col(GroupMember.user_id) == user_id).order_by(col(Group.name))
    )
    return list((await session.execute(query)).scalars())


async def user_actor(
    session: AsyncSession, user: User, *, kind: ActorKind, actor_id: str, scopes: Iterable[Scope] | None = None
) -> Actor:
    """The actor for ``user`` signed in (``kind='user'``) or using a key (``kind='key'``, ``scopes`` the
    key's own, cut down to the user's role)."""
    role = checked_role(user.role)
    allowed = ROLE_SCOPES[role] if scopes is None else ROLE_SCOPES[role] & frozenset(scopes)
    groups = await _group_names(session, user.id)
    return Actor(
        kind=kind, id=actor_id, tenant_id=user.tenant_id, role=role, scopes=allowed, user_id=user.id,
        principals=(user_principal(user.id), *(group_principal(name) for name in groups)),
    )


def bootstrap_actor(tenant: Tenant) -> Actor:
    """The tenant's own key (``jisik up`` prints it): the tenant's owner service, every scope."""
    return Actor(kind="key", id=tenant.api_key_prefix, tenant_id=tenant.id, role="owner", scopes=ALL_SCOPES)
