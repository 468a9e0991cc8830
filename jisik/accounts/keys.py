"""API keys of users and service accounts: created with scopes and an expiry (the key shown once),
rotated (new secret, same row) and revoked. A caller can never mint a key with more scopes than it
holds, and only an administrator handles keys that are not the caller's own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from jisik.actors import Actor
from jisik.db.models import ApiKey, User
from jisik.errors import Forbidden, InvalidInput, NotFound

from .roles import checked_scopes
from .tokens import KEY_PREFIX, PREFIX_CHARS, new_secret, secret_hash

__all__ = ["IssuedKey", "create_key", "get_key", "list_keys", "revoke_key", "rotate_key"]


@dataclass(frozen=True, slots=True)
class IssuedKey:
    row: ApiKey
    secret: str
    """The key itself, shown only in this response."""


async def _owner(session: AsyncSession, actor: Actor, user_id: str | None) -> User:
    """The user a new key is for: the caller, or (for an administrator) one of the tenant's service accounts."""
    wanted = user_id or actor.user_id
    if wanted is None:
        raise InvalidInput("name the service account (user_id) the key is for", field="user_id")
    user = await session.get(User, wanted)
    if user is None or user.tenant_id != actor.tenant_id:
        raise NotFound(f"user {wanted} not found", field="user_id")
    if user.id != actor.user_id:
        if not actor.may("admin"):
            raise Forbidden("only an administrator may make keys for someone else")
        if user.kind != "service":
            raise Forbidden("a key for another person cannot be made; they make their own")
    return user


async def create_key(
    session: AsyncSession, actor: Actor, now: datetime, *,
    name: str, scopes: list[str], expires_in_days: int, max_days: int, user_id: str | None = None,
) -> IssuedKey:
    """:raises Forbidden: a scope the caller does not hold, or someone else's key without ``admin``."""
    wanted = checked_scopes(scopes)
    if not wanted <= actor.scopes:
        missing = ", ".join(sorted(wanted - actor.scopes))
        raise Forbidden(f"a key cannot have scopes its maker lacks ({missing})")
    if not 1 <= expires_in_days <= max_days:
        raise InvalidInput(f"a key expires in 1 to {max_days} days", field="expires_in_days")
    clean_name = name.strip()
    if not clean_name:
        raise InvalidInput("a key needs a name", field="name")
    owner = await _owner(session, actor, user_id)
    secret = new_secret(KEY_PREFIX)
    row = ApiKey(
        tenant_id=owner.tenant_id, user_id=owner.id, name=clean_name, prefix=secret[:PREFIX_CHARS],
        key_hash=secret_hash(secret), scopes=sorted(wanted), expires_at=now + timedelta(days=expires_in_days),
        created_by=actor.label, created_at=now,
    )
    session.add(row)
    await session.flush()
    return IssuedKey(row, secret)


async def get_key(session: AsyncSession, actor: Actor, key_id: str) -> ApiKey:
    """A key of the caller's tenant the caller may handle (its own; any, with ``admin``)."""
    row = await session.get(ApiKey, key_id)
    if row is None or row.tenant_id != actor.tenant_id or (row.user_id != actor.user_id and not actor.may("admin")):
        raise NotFound(f"API key {key_id} not found", field="key_id")
    return row


async def list_keys(session: AsyncSession, actor: Actor) -> list[ApiKey]:
    """The caller's own keys; an administrator sees every key of the tenant."""
    query = select(ApiKey).where(col(ApiKey.tenant_id) == actor.tenant_id)
    if not actor.may("admin"):
        query = query.where(col(ApiKey.user_id) == actor.user_id)
    return list((await session.execute(query.order_by(col(ApiKey.created_at)))).scalars())


async def rotate_key(session: AsyncSession, actor: Actor, key_id: str) -> IssuedKey:
    """A new secret for the key (same name, scopes and expiry); the old secret stops working now."""
    row = await get_key(session, actor, key_id)
    if row.revoked_at is not None:
        raise InvalidInput("a revoked key cannot be rotated; make a new one", field="key_id")
    secret = new_secret(KEY_PREFIX)
    row.key_hash, row.prefix = secret_hash(secret), secret[:PREFIX_CHARS]
    await session.flush()
    return IssuedKey(row, secret)


async def revoke_key(session: AsyncSession, actor: Actor, key_id: str, now: datetime) -> ApiKey:
    row = await get_key(session, actor, key_id)
    if row.revoked_at is None:
        row.revoked_at = now
        await session.flush()
    return row
