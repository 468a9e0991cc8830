"""``jisik up``'s first owner: created with a one-time password, re-issued while unused, quiet once
the owner chose their own."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlmodel import col

from jisik.accounts.passwords import Passwords
from jisik.db.engine import create_engine, session_factory
from jisik.db.models import User
from jisik.runtime.bootstrap import ensure_bootstrap_key, ensure_first_admin
from jisik.settings import AccountSettings

pytestmark = pytest.mark.integration


async def _owner(url: str) -> User:
    engine = create_engine(url, pool_size=1)
    try:
        async with session_factory(engine)() as session:
            return (await session.execute(select(User))).scalar_one()
    finally:
        await engine.dispose()


async def _choose_own_password(url: str) -> None:
    engine = create_engine(url, pool_size=1)
    try:
        async with session_factory(engine)() as session, session.begin():
            await session.execute(update(User).where(col(User.kind) == "person").values(must_change_password=False))
    finally:
        await engine.dispose()


def test_the_first_owner_gets_a_one_time_password_until_they_choose_one(fresh_database: str, tmp_path: Path) -> None:
    settings = AccountSettings()
    passwords = Passwords(settings)
    key = ensure_bootstrap_key(fresh_database, tmp_path / "key")
    first = ensure_first_admin(fresh_database, key, settings)
    assert first.email == "admin@jisik.local" and len(first.one_time_password) >= 12
    owner = asyncio.run(_owner(fresh_database))
    assert owner.role == "owner" and owner.must_change_password
    assert asyncio.run(passwords.verify(owner.password_hash, first.one_time_password))

    second = ensure_first_admin(fresh_database, key, settings)  # restarted before signing in
    owner = asyncio.run(_owner(fresh_database))
    assert second.one_time_password != first.one_time_password
    assert not asyncio.run(passwords.verify(owner.password_hash, first.one_time_password))

    asyncio.run(_choose_own_password(fresh_database))
    assert ensure_first_admin(fresh_database, key, settings).one_time_password == ""
