"""Async SQLAlchemy engine and sessions for the ops database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

__all__ = ["async_url", "create_engine", "session_factory", "sync_url", "transaction"]


def async_url(url: str) -> str:
    """The asyncpg form of a postgresql:// URL."""
    for prefix in ("postgresql+asyncpg://", "postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix):]
    raise ValueError("not a PostgreSQL URL")


def sync_url(url: str) -> str:
    """The psycopg (v3) form of a postgresql:// URL, for Alembic and replication."""
    return "postgresql+psycopg://" + async_url(url)[len("postgresql+asyncpg://"):]


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    return create_async_engine(async_url(url), pool_size=pool_size, pool_pre_ping=True)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def transaction(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session whose work commits on success and rolls back on any error."""
    async with factory() as session, session.begin():
        yield session
