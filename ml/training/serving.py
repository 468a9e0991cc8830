"""What the chat pipeline uses: for a tenant and a chat session, the tuned model that serves it (the
challenger for the sessions in its canary share, else the champion, else none) and the stored vectors
of candidate passages.

A version is a tuned bundle (query adapter + feature reranker) or a cross-encoder reranker (kind
``cross_encoder``, loaded in a worker thread). Versions are loaded (checksum verified) before they are
used and kept by version id while they serve, and the tenant's serving state is re-read every
``serving_refresh_s``: a promote or rollback changes which loaded version the next request gets, never a
request in flight; while a refresh loads a new version the versions loaded so far keep serving. A
version that cannot be loaded is skipped (the base models answer), so a switch never fails a request.
A fine-tuned bi-encoder (``encoder``) serves only while its vectors cover the tenant's index
(``version_vectors.is_complete``); until then, and while new chunks wait for their vectors, its sessions
get what serves the others (the champion, or the base models). Artifacts are read once, when loaded.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from jisik.db.models import ModelVersion
from jisik.errors import InvalidInput

from .bundle import TunedBundle
from .cross_encoder import CROSS_ENCODER, CrossEncoderScorer, load_scorer
from .encoder import VersionEncoder, is_bi_encoder
from .registry import serving_state
from .rollout import bucket
from .vectors import stored_vectors
from .version_vectors import generation, is_complete

__all__ = ["TunedModel", "TunedModels"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TunedModel:
    version_id: str
    version: int
    bundle: TunedBundle | None = None  # query adapter + feature reranker (kind retrieval)
    cross_encoder: CrossEncoderScorer | None = None  # a cross-encoder reranker (kind cross_encoder)
    # a fine-tuned bi-encoder: the question is embedded with it and searched in its vectors of the chunks
    encoder: VersionEncoder | None = None


def _open(row: ModelVersion, artifact: bytes) -> TunedModel:
    """:raises InvalidInput: the artifact does not match its checksum or does not load."""
    if row.kind == CROSS_ENCODER or is_bi_encoder(row.metrics):
        try:
            if row.kind == CROSS_ENCODER:
                return TunedModel(row.id, row.version, cross_encoder=load_scorer(artifact, row.artifact_sha256))
            return TunedModel(row.id, row.version, encoder=VersionEncoder(artifact, row.artifact_sha256))
        except ImportError as exc:
            raise InvalidInput("sentence-transformers is not installed (pip install 'jisik[st]')") from exc
    return TunedModel(row.id, row.version, TunedBundle.from_bytes(artifact, row.artifact_sha256))


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

    async def _load(self, session: AsyncSession, row: ModelVersion | None, index_generation: int) -> TunedModel | None:
        """The loaded version of ``row`` (read without its artifact; the artifact is read once, to load it)."""
        if row is None:
            return None
        if is_bi_encoder(row.metrics) and not is_complete(row, index_generation):
            return None
        if row.id not in self._loaded:
            artifact = await session.scalar(select(col(ModelVersion.artifact)).where(col(ModelVersion.id) == row.id))
            try:
                if artifact is None:
                    raise InvalidInput("the version was deleted", field="version_id")
                self._loaded[row.id] = await asyncio.to_thread(_open, row, artifact)
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
                state = await serving_state(session, tenant_id, artifacts=False)
                index_generation = await generation(session, tenant_id)
                fresh = _Serving(await self._load(session, state.champion, index_generation),
                                 await self._load(session, state.challenger, index_generation), state.percent,
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
