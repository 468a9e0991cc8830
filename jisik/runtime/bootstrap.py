"""First-run setup of a stack: migrations, the bootstrap tenant whose API key ``jisik up`` prints, and
that tenant's first owner, who signs in to the web app with a one-time password."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from jisik.accounts.credentials import by_api_key
from jisik.accounts.passwords import Passwords
from jisik.accounts.people import add_person
from jisik.db.engine import create_engine, session_factory, transaction
from jisik.db.migrate import upgrade
from jisik.db.models import Tenant, User
from jisik.db.tenants import authenticate, create_tenant, revoke_api_key, rotate_api_key
from jisik.errors import NotFound, Unauthenticated
from jisik.secret_box import SecretBox
from jisik.settings import AccountSettings

__all__ = [
    "BOOTSTRAP_TENANT",
    "FirstAdmin",
    "ensure_bootstrap_key",
    "ensure_encryption_key",
    "ensure_first_admin",
    "migrate",
    "new_tenant",
    "replace_tenant_key",
    "run_coroutine",
]

logger = logging.getLogger(__name__)
T = TypeVar("T")

BOOTSTRAP_TENANT = "default"


def migrate(url: str, *, encryption_key: str = "") -> None:
    """Bring the database schema to the newest revision (``encryption_key`` seals secrets still in clear)."""
    upgrade(url, encryption_key=encryption_key)


def ensure_encryption_key(path: Path) -> str:
    """The key sealing stored secrets, kept in ``path``; generated there (owner-only) on first start.

    Losing the file loses the stored secrets: webhook secrets must then be rotated, model API keys and
    SSO client secrets entered again.
    """
    if path.exists():
        key = path.read_text().strip()
        SecretBox(key)  # a damaged file is an error now, not at the first secret
        return key
    key = SecretBox.generate_key()
    _write_secret(path, key)
    return key


def _write_secret(path: Path, value: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def _sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """sqlmodel sessions: jisik.db.tenants uses ``session.exec``."""
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def new_tenant(url: str, name: str) -> tuple[str, str]:
    """Create tenant ``name``; returns its id and API key (shown once, stored hashed)."""
    engine = create_engine(url, pool_size=1)
    try:
        async with transaction(_sessions(engine)) as session:  # type: ignore[arg-type]  # async_sessionmaker is invariant: these make sqlmodel's AsyncSession
            tenant, key = await create_tenant(session, name=name)
            return str(tenant.id), key
    finally:
        await engine.dispose()


async def replace_tenant_key(url: str, tenant_id: str, *, revoke: bool) -> str:
    """Rotate (returns the new key) or revoke (returns "") the API key of tenant ``tenant_id``.

    :raises NotFound: there is no such tenant.
    """
    engine = create_engine(url, pool_size=1)
    try:
        async with transaction(_sessions(engine)) as session:  # type: ignore[arg-type]  # async_sessionmaker is invariant: these make sqlmodel's AsyncSession
            tenant = await session.get(Tenant, tenant_id)
            if tenant is None:
                raise NotFound(f"tenant {tenant_id} not found", field="tenant_id")
            if revoke:
                await revoke_api_key(session, tenant)
                return ""
            return await rotate_api_key(session, tenant)
    finally:
        await engine.dispose()


async def _valid_or_new_key(url: str, current: str) -> str:
    """``current`` when it still authenticates, else a key for the bootstrap tenant (created if absent).

    An existing bootstrap tenant gets its key rotated, so its data stays reachable.
    """
    engine = create_engine(url, pool_size=1)
    factory = _sessions(engine)
    try:
        if current:
            try:
                async with transaction(factory) as session:  # type: ignore[arg-type]  # async_sessionmaker is invariant: these make sqlmodel's AsyncSession
                    await authenticate(session, current)
                return current
            except Unauthenticated:
                logger.warning("the saved bootstrap API key is no longer valid; issuing a new one")
        async with transaction(factory) as session:  # type: ignore[arg-type]  # async_sessionmaker is invariant: these make sqlmodel's AsyncSession
            statement = select(Tenant).where(Tenant.name == BOOTSTRAP_TENANT).order_by(col(Tenant.created_at))
            existing = (await session.exec(statement)).first()  # type: ignore[attr-defined]  # exec is sqlmodel's; the session is sqlmodel's AsyncSession
            if existing is not None:
                return await rotate_api_key(session, existing)
            _, key = await create_tenant(session, name=BOOTSTRAP_TENANT, description="Created by jisik up on first run")
            return key
    finally:
        await engine.dispose()


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` on a fresh loop in a worker thread (safe even inside a running loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def ensure_bootstrap_key(url: str, key_file: Path) -> str:
    """The bootstrap tenant's API key, kept in ``key_file`` (mode 0600) and reused while it is valid."""
    current = key_file.read_text().strip() if key_file.is_file() else ""
    key = run_coroutine(_valid_or_new_key(url, current))
    if key != current:
        _write_secret(key_file, key)
    return key


@dataclass(frozen=True, slots=True)
class FirstAdmin:
    email: str
    one_time_password: str
    """Empty once the owner has chosen their own password."""


async def _first_admin(url: str, api_key: str, settings: AccountSettings) -> FirstAdmin:
    engine = create_engine(url, pool_size=1)
    try:
        async with transaction(session_factory(engine)) as session:
            tenant = (await by_api_key(session, api_key, datetime.now(UTC))).tenant
            statement = sa_select(User).where(
                col(User.tenant_id) == tenant.id, col(User.email) == settings.first_admin_email
            )
            admin = (await session.execute(statement)).scalar()
            if admin is not None and not admin.must_change_password:
                return FirstAdmin(admin.email or "", "")
            password = secrets.token_urlsafe(12)
            hashed = await Passwords(settings).hash(password)
            if admin is None:
                await add_person(session, tenant.id, email=settings.first_admin_email, name="Administrator",
                                 role="owner", password_hash=hashed, must_change_password=True)
            else:  # the last one-time password was never replaced: issue another (only its hash was kept)
                admin.password_hash, admin.failed_signins, admin.locked_until = hashed, 0, None
            return FirstAdmin(settings.first_admin_email, password)
    finally:
        await engine.dispose()


def ensure_first_admin(url: str, api_key: str, settings: AccountSettings) -> FirstAdmin:
    """The bootstrap tenant's first owner (``accounts.first_admin_email``). Until they choose their own
    password, every start issues a fresh one-time password (shown once; the previous one stops working)."""
    return run_coroutine(_first_admin(url, api_key, settings))
