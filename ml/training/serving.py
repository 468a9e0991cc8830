"""What the chat pipeline uses: for a tenant and a chat session, the tuned model that serves it (the
challenger for the sessions in its canary share, else the champion, else none) and the stored vectors
of candidate passages.

Versions are loaded (checksum verified) before they are used and kept by version id, and the tenant's
serving state is re-read every ``serving_refresh_s``: a promote or rollback changes which loaded
version the next request gets, never a request in flight. A version that cannot be loaded is skipped
(the base models answer), so a switch never fails a request.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jisik.db.models import ModelVersion
from jisik.errors import InvalidInput

from .bundle import TunedBundle
from .registry import serving_state
from .rollout import bucket
from .vectors import stored_vectors

__all__ = ["TunedModel", "TunedModels"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TunedModel:
    version_id: str
    version: int
    bundle: TunedBundle


@dataclass(frozen=True, slots=True)
class _Serving:
    champion: TunedModel | None
    challenger: TunedModel | None
    percent: int
    read_at: float


class TunedModels:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, refresh_s: float) -> None:
        self._sessions = sessions
        self._refresh_s = refresh_s
        self._loaded: dict[str, TunedModel] = {}
        self._serving: dict[str, _Serving] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def _load(self, row: ModelVersion | None) -> TunedModel | None:
        if row is None:
            return None
        model = self._loaded.get(row.id)
        if model is None:
            try:
                model = TunedModel(row.id, row.version, TunedBundle.from_bytes(row.artifact, row.artifact_sha256))
            except InvalidInput as exc:
                logger.error("tuned model %s is not served: %s", row.id, exc.message)
                return None
            self._loaded[row.id] = model
        return model

    async def _state(self, tenant_id: str) -> _Serving:
        current = self._serving.get(tenant_id)
        if current is not None and time.monotonic() - current.read_at < self._refresh_s:
            return current
        async with self._locks.setdefault(tenant_id, asyncio.Lock()):
            current = self._serving.get(tenant_id)
            if current is not None and time.monotonic() - current.read_at < self._refresh_s:
                return current
            async with self._sessions() as session:
                state = await serving_state(session, tenant_id)
            fresh = _Serving(self._load(state.champion), self._load(state.challenger), state.percent,
                             time.monotonic())
            self._serving[tenant_id] = fresh
            return fresh

    async def for_session(self, tenant_id: str, session_id: str) -> TunedModel | None:
        """The tuned model serving this chat session (None: the base models)."""
        state = await self._state(tenant_id)
        if state.challenger is not None and bucket(session_id) < state.percent:
            return state.challenger
        return state.champion

    async def vectors(self, tenant_id: str, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        async with self._sessions() as session:
            return await stored_vectors(session, tenant_id, chunk_ids)
