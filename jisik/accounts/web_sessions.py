"""Web sessions: started on sign-in with a fresh token (never one the browser brought), ended by
sign-out, by sign-out everywhere, and when the user is disabled or removed."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from jisik.db.models import User, WebSession

from .tokens import new_secret, secret_hash

__all__ = ["NewSession", "end_session", "end_user_sessions", "start_session"]

SESSION_TOKEN_PREFIX = "ws-"


@dataclass(frozen=True, slots=True)
class NewSession:
    token: str
    """The cookie value, shown only now."""
    row: WebSession


async def start_session(session: AsyncSession, user: User, now: datetime, *, ttl: timedelta) -> NewSession:
    token = new_secret(SESSION_TOKEN_PREFIX)
    row = WebSession(
        tenant_id=user.tenant_id, user_id=user.id, token_hash=secret_hash(token),
        csrf_token=secrets.token_urlsafe(32), created_at=now, last_seen_at=now, expires_at=now + ttl,
    )
    session.add(row)
    await session.flush()
    return NewSession(token, row)


async def end_session(session: AsyncSession, token: str, now: datetime) -> None:
    """End the session holding ``token`` (nothing happens when there is none)."""
    statement = (
        update(WebSession)
        .where(col(WebSession.token_hash) == secret_hash(token), col(WebSession.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    await session.execute(statement)


async def end_user_sessions(session: AsyncSession, user_id: str, now: datetime) -> int:
    """End every open session of a user; returns how many there were."""
    statement = (
        update(WebSession)
        .where(col(WebSession.user_id) == user_id, col(WebSession.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    result = await session.execute(statement)
    return int(result.rowcount)  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult
