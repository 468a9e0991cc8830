"""Password sign-in with a lockout per account: after ``signin_max_failures`` wrong passwords in a row
the account refuses every sign-in (even the right one) for ``signin_lockout_s``. Failures are committed
before the refusal is raised, so a rolled-back request cannot undo them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from jisik.db.models import User
from jisik.errors import InvalidInput, JisikError, RateLimited, Unauthenticated
from jisik.settings import AccountSettings

from .passwords import Passwords
from .web_sessions import NewSession, end_session, start_session

__all__ = ["SignIn", "normalized_email", "sign_in"]

# One e-mail may have accounts in a few tenants; the password is checked against each of them.
_MAX_ACCOUNTS_PER_EMAIL = 5


@dataclass(frozen=True, slots=True)
class SignIn:
    user: User
    session: NewSession


def normalized_email(email: str) -> str:
    """:raises InvalidInput: not an e-mail address."""
    value = email.strip().lower()
    local, at, domain = value.partition("@")
    if not at or not local or "." not in domain or len(value) > 320 or any(ch.isspace() for ch in value):
        raise InvalidInput("not an e-mail address", field="email")
    return value


async def _candidates(session: AsyncSession, email: str, tenant_id: str | None) -> list[User]:
    query = select(User).where(col(User.email) == email, col(User.kind) == "person")
    if tenant_id:
        query = query.where(col(User.tenant_id) == tenant_id)
    query = query.order_by(col(User.created_at)).limit(_MAX_ACCOUNTS_PER_EMAIL).with_for_update()
    return list((await session.execute(query)).scalars())


async def _attempt(
    session: AsyncSession, passwords: Passwords, settings: AccountSettings, now: datetime, *,
    email: str, password: str, tenant_id: str | None, replaced_token: str | None,
) -> SignIn | JisikError:
    users = await _candidates(session, email, tenant_id)
    locked = [user for user in users if user.locked_until is not None and user.locked_until > now]
    open_users = [user for user in users if user not in locked]
    matched = [user for user in open_users if await passwords.verify(user.password_hash, password)]
    if not users:
        await passwords.verify(None, password)
    if len(matched) > 1:
        return InvalidInput("this e-mail has accounts in several workspaces; choose the workspace", field="tenant")
    if not matched:
        for user in open_users:
            user.failed_signins += 1
            if user.failed_signins >= settings.signin_max_failures:
                user.locked_until, user.failed_signins = now + timedelta(seconds=settings.signin_lockout_s), 0
        if locked and not open_users:
            wait = max(0.0, (min(u.locked_until for u in locked if u.locked_until) - now).total_seconds())
            return RateLimited(
                f"this account is locked after too many failed sign-ins; try again in {max(1, round(wait))}s",
                retry_after_s=wait,
            )
        return Unauthenticated("wrong e-mail or password")
    user = matched[0]
    if user.disabled:
        return Unauthenticated("this account is disabled; ask an administrator")
    user.failed_signins, user.locked_until, user.last_signin_at = 0, None, now
    if replaced_token:  # never keep a session the browser brought along (session fixation)
        await end_session(session, replaced_token, now)
    started = await start_session(session, user, now, ttl=timedelta(hours=settings.session_ttl_hours))
    return SignIn(user, started)


async def sign_in(
    sessions: async_sessionmaker[AsyncSession], passwords: Passwords, settings: AccountSettings, now: datetime, *,
    email: str, password: str, tenant_id: str | None = None, replaced_token: str | None = None,
) -> SignIn:
    """Check the password and start a new web session.

    :raises Unauthenticated: wrong e-mail or password, or a disabled account.
    :raises RateLimited: the account is locked.
    :raises InvalidInput: the e-mail has accounts in several tenants with this password; name one.
    """
    address = normalized_email(email)
    async with sessions() as session, session.begin():
        outcome = await _attempt(
            session, passwords, settings, now,
            email=address, password=password, tenant_id=tenant_id, replaced_token=replaced_token,
        )
    if isinstance(outcome, JisikError):
        raise outcome
    return outcome
