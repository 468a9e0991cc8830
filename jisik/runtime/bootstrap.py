"""First-run setup of a stack: migrations and the bootstrap tenant whose API key ``jisik up`` prints."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from jisik.db.engine import create_engine, transaction
from jisik.db.migrate import upgrade
from jisik.db.models import Tenant
from jisik.db.tenants import authenticate, create_tenant, rotate_api_key
from jisik.errors import Unauthenticated

__all__ = ["BOOTSTRAP_TENANT", "ensure_bootstrap_key", "migrate"]

logger = logging.getLogger(__name__)

BOOTSTRAP_TENANT = "default"


def migrate(url: str) -> None:
    """Bring the database schema to the newest revision."""
    upgrade(url)


def _write_secret(path: Path, value: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


async def ensure_bootstrap_key(url: str, key_file: Path) -> str:
    """The bootstrap tenant's API key: reused from ``key_file`` when still valid, else created.

    A missing or stale file with an existing bootstrap tenant rotates that tenant's key, so its
    data stays reachable.
    """
    engine = create_engine(url, pool_size=1)
    # sqlmodel's session: jisik.db.tenants uses ``session.exec``.
    factory = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
    try:
        if key_file.is_file():
            key = key_file.read_text().strip()
            try:
                async with transaction(factory) as session:
                    await authenticate(session, key)
                return key
            except Unauthenticated:
                logger.warning("the key in %s is no longer valid; issuing a new one", key_file)
        async with transaction(factory) as session:
            statement = select(Tenant).where(Tenant.name == BOOTSTRAP_TENANT).order_by(Tenant.created_at)
            existing = (await session.exec(statement)).first()
            if existing is not None:
                key = await rotate_api_key(session, existing)
            else:
                _, key = await create_tenant(
                    session, name=BOOTSTRAP_TENANT, description="Created by jisik up on first run"
                )
        _write_secret(key_file, key)
        return key
    finally:
        await engine.dispose()
