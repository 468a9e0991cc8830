"""Fixtures for the retriever suite: one service over a real migrated PostgreSQL per test module."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from jisik.settings import RetrieverSettings
from retriever.db import create_pool
from retriever.service import RetrieverService


@pytest.fixture(scope="module")
async def service(module_database: str) -> AsyncIterator[RetrieverService]:
    settings = RetrieverSettings(max_batch=500, max_top_k=100)
    pool = await create_pool(module_database, size=6)
    retriever = RetrieverService(pool, settings)
    yield retriever
    await retriever.close()
