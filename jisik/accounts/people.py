"""People and service accounts of a tenant: invitations and their acceptance, roles, disabling and
removal (both end the person's sessions at once), and seats. Only an owner may touch an owner or
make one; a tenant always keeps an active owner; nobody disables or removes themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from jisik.actors import Actor
from jisik.billing.plans import plans_of
from jisik.db.models import Invitation, Tenant, User
from jisik.errors import Conflict, Forbidden, InvalidInput, NotFound, QuotaExceeded, Unauthenticated
from jisik.settings import Settings

from .roles import Role, checked_role
from .signin import normalized_email
from .tokens import new_secret, secret_hash
from .web_sessions import end_user_sessions

__all__ = [
    "IssuedInvitation",
    "Seats",
    "accept_invitation",
    "add_person",
    "add_service_account",
    "get_user",
    "invite",
    "list_invitations",
    "list_users",
    "remove_user",
    "revoke_invitation",
    "seat_usage",
    "update_user",
]

INVITATION_PREFIX = "inv-"


@dataclass(frozen=True, slots=True)
class Seats:
    used: int
    pending: int
    limit: int


@dataclass(frozen=True, slots=True)
class IssuedInvitation:
    row: Invitation
    token: str
    """Goes into the invitation link; shown only now."""


def _pending(tenant_id: str, now: datetime) -> list[ColumnElement[bool]]:
    return [
        col(Invitation.tenant_id) == tenant_id, col(Invitation.accepted_at).is_(None),
        col(Invitation.revoked_at).is_(None), col(Invitation.expires_at) > now,
    ]


async def _seat_limit(session: AsyncSession, tenant: Tenant, settings: Settings) -> int:
    """The tenant's own limit, else its plan's ``seats`` limit, else ``accounts.default_seat_limit``."""
    if tenant.seat_limit:
        return tenant.seat_limit
    try:
        plan = (await plans_of(session, [tenant.id], settings.billing.default_plan))[tenant.id]
    except NotFound:  # no plans are set up
        return settings.accounts.default_seat_limit
    return plan.limit("seats") or settings.accounts.default_seat_limit


async def seat_usage(session: AsyncSession, tenant: Tenant, settings: Settings, now: datetime) -> Seats:
    """Active people (service accounts take no seat), open invitations, and the tenant's limit."""
    used = await session.scalar(
        select(func.count()).select_from(User).where(
            col(User.tenant_id) == tenant.id, col(User.kind) == "person", col(User.disabled).is_(False)
        )
    )
    pending = await session.scalar(select(func.count()).select_from(Invitation).where(*_pending(tenant.id, now)))
    return Seats(int(used or 0), int(pending or 0), await _seat_limit(session, tenant, settings))


def _seat_error(seats: Seats) -> QuotaExceeded:
    return QuotaExceeded(
        f"all {seats.limit} seats are taken ({seats.used} people, {seats.pending} open invitations); "
        "remove someone or raise the seat limit",
        field="seats",
    )


async def get_user(session: AsyncSession, tenant_id: str, user_id: str) -> User:
    user = await session.get(User, user_id)
    if user is None or user.tenant_id != tenant_id:
        raise NotFound(f"user {user_id} not found", field="user_id")
    return user


async def list_users(session: AsyncSession, tenant_id: str) -> list[User]:
    query = select(User).where(col(User.tenant_id) == tenant_id).order_by(col(User.kind), col(User.created_at))
    return list((await session.execute(query)).scalars())


async def _email_taken(session: AsyncSession, tenant_id: str, email: str) -> bool:
    query = select(col(User.id)).where(col(User.tenant_id) == tenant_id, col(User.email) == email)
    return (await session.execute(query)).first() is not None


async def add_person(
    session: AsyncSession, tenant_id: str, *, email: str, name: str, role: Role, password_hash: str | None,
    must_change_password: bool = False,
) -> User:
    """:raises Conflict: the tenant already has someone with this e-mail."""
    address = normalized_email(email)
    if await _email_taken(session, tenant_id, address):
        raise Conflict(f"{address} already has an account here", field="email")
    user = User(
        tenant_id=tenant_id, kind="person", email=address, name=name.strip()[:255], role=role,
        password_hash=password_hash, must_change_password=must_change_password,
    )
    session.add(user)
    await session.flush()
    return user


def _require_authority(actor: Actor, target_role: str | None, new_role: str | None = None) -> None:
    if actor.role != "owner" and "owner" in (target_role, new_role):
        raise Forbidden("only an owner may grant the owner role or change an owner")


async def add_service_account(session: AsyncSession, actor: Actor, *, name: str, role: str) -> User:
    wanted = checked_role(role)
    _require_authority(actor, None, wanted)
    if not name.strip():
        raise InvalidInput("a service account needs a name", field="name")
    user = User(tenant_id=actor.tenant_id, kind="service", name=name.strip()[:255], role=wanted)
    session.add(user)
    await session.flush()
    return user


async def invite(
    session: AsyncSession, actor: Actor, tenant: Tenant, settings: Settings, now: datetime, *,
    email: str, role: str,
) -> IssuedInvitation:
    """A new invitation (an open one to the same address is replaced).

    :raises QuotaExceeded: the seats are taken, counting open invitations.
    """
    wanted = checked_role(role)
    _require_authority(actor, None, wanted)
    address = normalized_email(email)
    if await _email_taken(session, tenant.id, address):
        raise Conflict(f"{address} already has an account here", field="email")
    await session.execute(delete(Invitation).where(*_pending(tenant.id, now), col(Invitation.email) == address))
    seats = await seat_usage(session, tenant, settings, now)
    if seats.used + seats.pending >= seats.limit:
        raise _seat_error(seats)
    token = new_secret(INVITATION_PREFIX)
    row = Invitation(
        tenant_id=tenant.id, email=address, role=wanted, token_hash=secret_hash(token), invited_by=actor.label,
        expires_at=now + timedelta(hours=settings.accounts.invitation_ttl_hours), created_at=now,
    )
    session.add(row)
    await session.flush()
    return IssuedInvitation(row, token)


async def list_invitations(session: AsyncSession, tenant_id: str, now: datetime) -> list[Invitation]:
    query = select(Invitation).where(*_pending(tenant_id, now)).order_by(col(Invitation.created_at))
    return list((await session.execute(query)).scalars())


async def revoke_invitation(session: AsyncSession, actor: Actor, invitation_id: str, now: datetime) -> None:
    row = await session.get(Invitation, invitation_id)
    if row is None or row.tenant_id != actor.tenant_id or row.accepted_at is not None:
        raise NotFound(f"invitation {invitation_id} not found", field="invitation_id")
    _require_authority(actor, None, row.role)
    row.revoked_at = row.revoked_at or now
    await session.flush()


async def accept_invitation(
    session: AsyncSession, settings: Settings, now: datetime, *, token: str, name: str, password_hash: str
) -> User:
    """The invited person's account, with the password they chose.

    :raises Unauthenticated: no open invitation has this token (wrong, used, revoked or expired).
    :raises QuotaExceeded: the seats were taken since the invitation was sent.
    """
    query = select(Invitation).where(col(Invitation.token_hash) == secret_hash(token)).with_for_update()
    row = (await session.execute(query)).scalar()
    if row is None or row.accepted_at is not None or row.revoked_at is not None or row.expires_at <= now:
        raise Unauthenticated("this invitation link is not valid (used, withdrawn or expired)")
    tenant = await session.get_one(Tenant, row.tenant_id, with_for_update=True)
    seats = await seat_usage(session, tenant, settings, now)
    if seats.used >= seats.limit:
        raise _seat_error(seats)
    row.accepted_at = now
    return await add_person(
        session, row.tenant_id, email=row.email, name=name, role=checked_role(row.role), password_hash=password_hash
    )


async def _active_owners(session: AsyncSession, tenant_id: str, *, besides: str) -> int:
    count = await session.scalar(
        select(func.count()).select_from(User).where(
            col(User.tenant_id) == tenant_id, col(User.kind) == "person", col(User.role) == "owner",
            col(User.disabled).is_(False), col(User.id) != besides,
        )
    )
    return int(count or 0)


async def _keep_an_owner(session: AsyncSession, user: User) -> None:
    if user.role == "owner" and user.kind == "person" and not user.disabled:
        if await _active_owners(session, user.tenant_id, besides=user.id) == 0:
            raise Conflict("the tenant must keep an active owner; make someone else owner first", field="role")


async def update_user(
    session: AsyncSession, actor: Actor, tenant: Tenant, settings: Settings, now: datetime, user_id: str, *,
    role: str | None = None, disabled: bool | None = None, name: str | None = None,
) -> User:
    """Change a user's role, name or disabled flag; disabling ends their sessions at once."""
    user = await get_user(session, actor.tenant_id, user_id)
    wanted = checked_role(role) if role is not None else None
    _require_authority(actor, user.role, wanted)
    if disabled and user.id == actor.user_id:
        raise Forbidden("you cannot disable your own account")
    if (wanted is not None and wanted != "owner") or disabled:
        await _keep_an_owner(session, user)
    if disabled is False and user.disabled and user.kind == "person":
        seats = await seat_usage(session, tenant, settings, now)
        if seats.used >= seats.limit:
            raise _seat_error(seats)
    if wanted is not None:
        user.role = wanted
    if name is not None:
        user.name = name.strip()[:255]
    if disabled is not None:
        user.disabled = disabled
        if disabled:
            await end_user_sessions(session, user.id, now)
    await session.flush()
    return user


async def remove_user(session: AsyncSession, actor: Actor, user_id: str) -> None:
    """Delete a person or service account with its sessions, keys and group memberships."""
    user = await get_user(session, actor.tenant_id, user_id)
    _require_authority(actor, user.role)
    if user.id == actor.user_id:
        raise Forbidden("you cannot remove your own account")
    await _keep_an_owner(session, user)
    await session.delete(user)
    await session.flush()
