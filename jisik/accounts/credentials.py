"""Who holds a credential: an API key (a user's, a service account's, or the tenant's bootstrap key)
or a web session token. Each lookup refuses revoked, expired and disabled credentials."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from jisik.actors import Actor
from jisik.db.models import ApiKey, Tenant, User, WebSession
from jisik.errors import Unauthenticated

from .principals import bootstrap_actor, user_actor
from .tokens import KEY_PREFIX, secret_hash

__all__ = ["Authenticated", "by_api_key", "by_session_token"]

# last_seen_at / last_used_at are written at most this often per credential.
_TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class Authenticated:
    actor: Actor
    tenant: Tenant
    web_session: WebSession | None = None


async def by_api_key(session: AsyncSession, api_key: str, now: datetime) -> Authenticated:
    """:raises Unauthenticated: no such key, or it is revoked or expired, or its owner is disabled."""
    if not api_key.startswith(KEY_PREFIX):
        raise Unauthenticated("invalid API key")
    digest = secret_hash(api_key)
    query = (
        select(ApiKey, User, Tenant)
        .join(User, col(User.id) == col(ApiKey.user_id))
        .join(Tenant, col(Tenant.id) == col(ApiKey.tenant_id))
        .where(col(ApiKey.key_hash) == digest)
    )
    row = (await session.execute(query)).first()
    if row is None:
        tenant = (await session.execute(select(Tenant).where(col(Tenant.api_key_hash) == digest))).scalar()
        if tenant is None:
            raise Unauthenticated("invalid API key")
        return Authenticated(bootstrap_actor(tenant), tenant)
    key, user, tenant = row
    if key.revoked_at is not None:
        raise Unauthenticated("this API key was revoked")
    if key.expires_at is not None and key.expires_at <= now:
        raise Unauthenticated("this API key has expired")
    if user.disabled:
        raise Unauthenticated("the account this API key belongs to is disabled")
    actor = await user_actor(session, user, kind="key", actor_id=key.prefix, scopes=key.scopes)  # type: ignore[arg-type]  # checked on the way in
    if key.last_used_at is None or now - key.last_used_at > _TOUCH_EVERY:
        await session.execute(update(ApiKey).where(col(ApiKey.id) == key.id).values(last_used_at=now))
        await session.commit()
    return Authenticated(actor, tenant)


async def by_session_token(session: AsyncSession, token: str, now: datetime, *, idle: timedelta) -> Authenticated:
    """:raises Unauthenticated: no such session, or it ended (signed out, expired, idle too long), or
    its user is disabled or removed."""
    query = (
        select(WebSession, User, Tenant)
        .join(User, col(User.id) == col(WebSession.user_id))
        .join(Tenant, col(Tenant.id) == col(WebSession.tenant_id))
        .where(col(WebSession.token_hash) == secret_hash(token))
    )
    row = (await session.execute(query)).first()
    if row is None:
        raise Unauthenticated("not signed in (no such session)")
    web_session, user, tenant = row
    if web_session.revoked_at is not None or web_session.expires_at <= now or now - web_session.last_seen_at > idle:
        raise Unauthenticated("your session has ended; sign in again")
    if user.disabled:
        raise Unauthenticated("this account is disabled")
    actor = await user_actor(session, user, kind="user", actor_id=user.id)
    if now - web_session.last_seen_at > _TOUCH_EVERY:
        await session.execute(update(WebSession).where(col(WebSession.id) == web_session.id).values(last_seen_at=now))
        await session.commit()
    return Authenticated(actor, tenant, web_session)
