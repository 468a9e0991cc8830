"""Fixtures of the training tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jisik.db.engine import create_engine, session_factory


@pytest.fixture
async def sessions(fresh_database: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on a database of the test's own."""
    engine = create_engine(fresh_database, pool_size=10)
    yield session_factory(engine)
    await engine.dispose()
