"""A verified identity becomes a user of the tenant: found by the provider's subject, else by a verified
e-mail the tenant already knows, else created on this first sign-in (a seat permitting) with the
tenant's default role. Groups follow the group claim: groups it names are joined (created when new),
groups an earlier sign-in brought and this one no longer names are left; groups an admin added by hand
are kept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from jisik.accounts.groups import add_member, create_group, remove_member
from jisik.accounts.people import add_person, seat_usage
from jisik.accounts.roles import checked_role
from jisik.accounts.signin import normalized_email
from jisik.db.models import Group, SsoIdentity, Tenant, TenantSso, User
from jisik.errors import QuotaExceeded, Unauthenticated
from jisik.settings import Settings

from .id_token import IdentityClaims

__all__ = ["user_for_identity"]


async def _by_email(session: AsyncSession, tenant_id: str, identity: IdentityClaims) -> User | None:
    if not (identity.email and identity.email_verified):
        return None
    query = select(User).where(col(User.tenant_id) == tenant_id, col(User.email) == normalized_email(identity.email))
    return (await session.execute(query)).scalar_one_or_none()


async def _new_user(
    session: AsyncSession, tenant: Tenant, config: TenantSso, identity: IdentityClaims, settings: Settings,
    now: datetime,
) -> User:
    if not identity.email:
        raise Unauthenticated("the identity provider sent no e-mail address for this new user")
    seats = await seat_usage(session, tenant, settings, now)
    if seats.used + seats.pending >= seats.limit:
        raise QuotaExceeded(f"all {seats.limit} seats are taken; an admin must free one first", field="seats")
    return await add_person(session, tenant.id, email=identity.email, name=identity.name or identity.email,
                            role=checked_role(config.default_role), password_hash=None)


async def _group_ids(session: AsyncSession, tenant_id: str, names: list[str]) -> dict[str, str]:
    rows = await session.execute(
        select(col(Group.name), col(Group.id)).where(col(Group.tenant_id) == tenant_id, col(Group.name).in_(names)))
    found = {name: group_id for name, group_id in rows}
    for name in names:
        if name not in found:
            found[name] = (await create_group(session, tenant_id, name=name)).id
    return found


async def _sync_groups(session: AsyncSession, user: User, link: SsoIdentity, claimed: list[str]) -> None:
    ids = await _group_ids(session, user.tenant_id, sorted(set(claimed) | set(link.groups)))
    for name in claimed:
        await add_member(session, user.tenant_id, ids[name], user.id)
    for name in set(link.groups) - set(claimed):
        await remove_member(session, user.tenant_id, ids[name], user.id)
    link.groups = list(claimed)


async def user_for_identity(
    session: AsyncSession, tenant: Tenant, config: TenantSso, identity: IdentityClaims, settings: Settings,
    now: datetime,
) -> User:
    """The user this identity signs in as (created on a first sign-in), its groups synced.

    :raises Unauthenticated: the user is disabled, or a new user has no e-mail.
    :raises QuotaExceeded: a new user would need a seat and none is free.
    """
    query = select(SsoIdentity).where(
        col(SsoIdentity.tenant_id) == tenant.id, col(SsoIdentity.issuer) == config.issuer,
        col(SsoIdentity.subject) == identity.subject,
    ).with_for_update()
    link = (await session.execute(query)).scalar_one_or_none()
    if link is not None:
        user = await session.get_one(User, link.user_id)
    else:
        user = await _by_email(session, tenant.id, identity) or await _new_user(
            session, tenant, config, identity, settings, now)
        link = SsoIdentity(tenant_id=tenant.id, issuer=config.issuer, subject=identity.subject, user_id=user.id)
        session.add(link)
    if user.disabled or user.kind != "person":
        raise Unauthenticated("this account may not sign in")
    await _sync_groups(session, user, link, list(identity.groups))
    link.last_signin_at = now
    user.last_signin_at = now
    await session.flush()
    return user
