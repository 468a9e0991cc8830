"""What the chat pipeline uses: for a tenant and a chat session, the tuned model that serves it (the
challenger for the sessions in its canary share, else the champion, else none) and the stored vectors
of candidate passages.

A version is a tuned bundle (query adapter + feature reranker) or a cross-encoder reranker (kind
``cross_encoder``, loaded in a worker thread). Versions are loaded (checksum verified) before they are
used and kept by version id while they serve, and the tenant's serving state is re-read every
``serving_refresh_s``: a promote or rollback changes which loaded version the next request gets, never a
request in flight; while a refresh loads a new version the versions loaded so far keep serving. A
version that cannot be loaded is skipped (the base models answer), so a switch never fails a request.
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
from .cross_encoder import CROSS_ENCODER, CrossEncoderScorer, load_scorer
from .registry import serving_state
from .rollout import bucket
from .vectors import stored_vectors

__all__ = ["TunedModel", "TunedModels"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TunedModel:
    version_id: str
    version: int
    bundle: TunedBundle | None = None  # query adapter + feature reranker (kind retrieval)
    cross_encoder: CrossEncoderScorer | None = None  # a cross-encoder reranker (kind cross_encoder)


def _open(row: ModelVersion) -> TunedModel:
    """:raises InvalidInput: the artifact does not match its checksum or does not load."""
    if row.kind == CROSS_ENCODER:
        try:
            return TunedModel(row.id, row.version, cross_encoder=load_scorer(row.artifact, row.artifact_sha256))
        except ImportError as exc:
            raise InvalidInput("sentence-transformers is not installed (pip install 'jisik[st]')") from exc
    return TunedModel(row.id, row.version, TunedBundle.from_bytes(row.artifact, row.artifact_sha256))


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
        self._loaded: dict[str, TunedModel | None] = {}  # None: the version could not be loaded
        self._serving: dict[str, _Serving] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def _load(self, row: ModelVersion | None) -> TunedModel | None:
        if row is None:
            return None
        if row.id not in self._loaded:
            try:
                self._loaded[row.id] = await asyncio.to_thread(_open, row)
            except InvalidInput as exc:
                logger.error("tuned model %s is not served: %s", row.id, exc.message)
                self._loaded[row.id] = None
        return self._loaded[row.id]

    def _forget(self, before: _Serving | None, now: _Serving) -> None:
        """Drop the loaded versions that served the tenant before this refresh and no longer do."""
        serving = {model.version_id for model in (now.champion, now.challenger) if model is not None}
        for model in (before.champion, before.challenger) if before else ():
            if model is not None and model.version_id not in serving:
                self._loaded.pop(model.version_id, None)

    async def _state(self, tenant_id: str) -> _Serving:
        current = self._serving.get(tenant_id)
        if current is not None and time.monotonic() - current.read_at < self._refresh_s:
            return current
        lock = self._locks.setdefault(tenant_id, asyncio.Lock())
        if current is not None and lock.locked():
            return current  # another request is refreshing (perhaps loading a new version): no waiting
        async with lock:
            current = self._serving.get(tenant_id)
            if current is not None and time.monotonic() - current.read_at < self._refresh_s:
                return current
            async with self._sessions() as session:
                state = await serving_state(session, tenant_id)
            fresh = _Serving(await self._load(state.champion), await self._load(state.challenger), state.percent,
                             time.monotonic())
            self._forget(current, fresh)
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
