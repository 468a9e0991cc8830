"""What every stage handler gets: settings, database sessions and the service clients."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jisik.clients.bundle import ServiceClients
from jisik.events import DocumentEvent
from jisik.settings import Settings

from .topology import Stage

__all__ = ["IngestContext", "StageHandler"]


@dataclass(frozen=True)
class IngestContext:
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    clients: ServiceClients


class StageHandler(Protocol):
    """One pipeline step. ``handle`` returns the event for the next topic, or None when the input
    event has nothing left to do (stale version, deleted document, duplicate delivery)."""

    stage: Stage

    async def handle(self, event: DocumentEvent) -> DocumentEvent | None: ...
