"""What the chat pipeline uses: for a tenant and a chat session, the tuned model that serves it (the
challenger for the sessions in its canary share, else the champion, else none) and the stored vectors
of candidate passages.

Versions are loaded (checksum verified) before they are used and kept by version id, and the tenant's
serving state is re-read every ``serving_refresh_s``: a promote or rollback changes which loaded
version the next request gets, never a request in flight. A version that cannot be loaded is skipped
(the base models answer), so a switch never fails a request. A fine-tuned bi-encoder serves only while
its vectors cover the tenant's index (``version_vectors.is_complete``); until then, and while new chunks
wait for their vectors, its sessions get what serves the others (the champion, or the base models).
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
from .encoder import VersionEncoder, is_bi_encoder
from .registry import serving_state
from .rollout import bucket
from .vectors import stored_vectors
from .version_vectors import generation, is_complete

__all__ = ["TunedModel", "TunedModels"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TunedModel:
    """A query adapter with its feature reranker (``bundle``), or a fine-tuned bi-encoder (``encoder``)
    whose vectors of the chunks the retriever searches as vector space ``version_id``."""

    version_id: str
    version: int
    bundle: TunedBundle | None = None
    encoder: VersionEncoder | None = None


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

    async def _load(self, session: AsyncSession, row: ModelVersion | None, index_generation: int) -> TunedModel | None:
        """The loaded version of ``row`` (read without its artifact); the artifact is read only the first time."""
        if row is None:
            return None
        bi_encoder = is_bi_encoder(row.metrics)
        if bi_encoder and not is_complete(row, index_generation):
            return None
        model = self._loaded.get(row.id)
        if model is None:
            artifact = await session.scalar(select(col(ModelVersion.artifact)).where(col(ModelVersion.id) == row.id))
            try:
                if artifact is None:
                    raise InvalidInput("the version is gone", field="version_id")
                if bi_encoder:
                    encoder = await asyncio.to_thread(VersionEncoder, artifact, row.artifact_sha256)
                    model = TunedModel(row.id, row.version, encoder=encoder)
                else:
                    model = TunedModel(row.id, row.version, TunedBundle.from_bytes(artifact, row.artifact_sha256))
            except InvalidInput as exc:
                logger.error("tuned model %s is not served: %s", row.id, exc.message)
                return None
            except (ImportError, OSError) as exc:  # a bi-encoder needs sentence-transformers (the `st` extra)
                logger.error("tuned model %s is not served: %s", row.id, type(exc).__name__)
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
                state = await serving_state(session, tenant_id, artifacts=False)
                index_generation = await generation(session, tenant_id)
                fresh = _Serving(await self._load(session, state.champion, index_generation),
                                 await self._load(session, state.challenger, index_generation), state.percent,
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
