"""Tenant creation and API-key authentication. Keys are shown once; only their sha256 is stored."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from jisik.errors import Unauthenticated

from .models import Tenant

__all__ = ["authenticate", "create_tenant", "hash_api_key", "new_api_key", "revoke_api_key", "rotate_api_key"]

KEY_PREFIX = "sk-"


def new_api_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


async def create_tenant(session: AsyncSession, *, name: str, description: str = "") -> tuple[Tenant, str]:
    """Create a tenant; returns it with its API key (the only time the key is visible)."""
    api_key = new_api_key()
    tenant = Tenant(
        name=name, description=description, api_key_hash=hash_api_key(api_key), api_key_prefix=api_key[:10]
    )
    session.add(tenant)
    await session.flush()
    return tenant, api_key


async def rotate_api_key(session: AsyncSession, tenant: Tenant) -> str:
    """Replace the tenant's key: the new one is returned (shown once), the old one stops working."""
    api_key = new_api_key()
    tenant.api_key_hash = hash_api_key(api_key)
    tenant.api_key_prefix = api_key[:10]
    session.add(tenant)
    await session.flush()
    return api_key


async def revoke_api_key(session: AsyncSession, tenant: Tenant) -> None:
    """Make the tenant's key stop working without issuing another (``jisik tenant rotate-key`` does)."""
    tenant.api_key_hash = hash_api_key("revoked:" + secrets.token_urlsafe(32))  # matches no key
    tenant.api_key_prefix = ""
    session.add(tenant)
    await session.flush()


async def authenticate(session: AsyncSession, api_key: str) -> Tenant:
    """The tenant owning ``api_key``; Unauthenticated when there is none."""
    if not api_key.startswith(KEY_PREFIX):
        raise Unauthenticated("invalid API key")
    # attr-defined: exec is sqlmodel's AsyncSession method; the gateway's auth_sessions make that class.
    query = select(Tenant).where(Tenant.api_key_hash == hash_api_key(api_key))
    tenant: Tenant | None = (await session.exec(query)).first()  # type: ignore[attr-defined]  # exec is sqlmodel's; the session is sqlmodel's AsyncSession
    if tenant is None:
        raise Unauthenticated("invalid API key")
    return tenant
