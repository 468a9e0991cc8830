"""The model service's logic: validate, route to a backend per tenant and model, enforce timeouts."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from jisik.db.models import ModelSource, ModelType, Tenant
from jisik.errors import DeadlineExceeded, InvalidInput, JisikError, TooLarge
from jisik.netguard import AddressPolicy
from jisik.pii import MaskPolicy, PiiType, Vault
from jisik.pii.policy import tenant_mask
from jisik.secret_box import SecretBox
from jisik.settings.model import ModelSettings

from .batching import DynamicBatcher
from .cache import CachedEmbedder, EmbeddingCache
from .factory import BackendFactory
from .masking import announced, masked_stream
from .registry import BUILTINS, CHAT_TYPES, ModelRegistry, ModelSpec
from .types import ChatEvent, ChatInput, ChatModel, Embedder, Embeddings, Reranker, Role

__all__ = ["ModelInfo", "ModelService"]

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class ModelInfo:
    spec: ModelSpec
    available: bool
    unavailable_reason: str = ""


class ModelService:
    """Embed, rerank and chat for a tenant; backends are built once per model version and reused."""

    def __init__(
        self,
        settings: ModelSettings,
        sessions: async_sessionmaker[AsyncSession] | None = None,
        *,
        engine: AsyncEngine | None = None,
        address_policy: AddressPolicy | None = None,
        box: SecretBox | None = None,
    ) -> None:
        """``address_policy`` governs remote backends' URLs; the default refuses every internal address.
        ``box`` opens stored API keys (default: no key, so remote models with a key are unavailable)."""
        self.settings = settings
        self._sessions = sessions
        self._engine = engine
        self.box = box or SecretBox("")
        self.registry = ModelRegistry(sessions, self.box, settings)
        self.factory = BackendFactory(settings, address_policy or AddressPolicy())
        self.cache = EmbeddingCache(settings.embed_cache_entries)
        self._backends: dict[tuple[str, str, str], object] = {}
        self._building = asyncio.Lock()

    async def _backend(self, spec: ModelSpec, kind: str) -> object:
        key = (spec.id, spec.version, kind)
        if key in self._backends:
            return self._backends[key]
        helper = None
        if kind == "rerank" and spec.parameters.get("engine") == "e5-similarity":
            helper = await self._backend(BUILTINS["multilingual-e5-small"], "embed")
        async with self._building:
            if key not in self._backends:
                self._backends[key] = await asyncio.to_thread(self._build, spec, kind, helper)
        return self._backends[key]

    def _build(self, spec: ModelSpec, kind: str, helper: object | None) -> object:
        if kind == "embed":
            inner = DynamicBatcher(
                self.factory.embedder(spec),
                window_s=self.settings.batch_window_ms / 1000,
                max_texts=self.settings.batch_max_texts,
            )
            return CachedEmbedder(inner, self.cache, f"{spec.id}@{spec.version}")
        if kind == "rerank":
            return self.factory.reranker(spec, helper)  # type: ignore[arg-type]  # the helper is the embedder built for this reranker
        return self.factory.chat(spec)

    async def _timed(self, spec: ModelSpec, work: Awaitable[T]) -> T:
        try:
            return await asyncio.wait_for(work, timeout=self.settings.request_timeout_s)
        except TimeoutError as exc:
            raise DeadlineExceeded(
                f"model backend {spec.name!r} did not answer within {self.settings.request_timeout_s:g}s"
            ) from exc

    def _check_texts(self, texts: list[str], field: str) -> None:
        for i, text in enumerate(texts):
            if not text.strip():
                raise InvalidInput(f"{field}[{i}] is empty", field=f"{field}[{i}]")
            if len(text) > self.settings.max_text_chars:
                raise TooLarge(
                    f"{field}[{i}] has {len(text)} characters; the limit is {self.settings.max_text_chars}",
                    field=f"{field}[{i}]",
                )

    async def embed(
        self, tenant_id: str, model_id: str, texts: list[str], role: Role
    ) -> tuple[ModelSpec, Embeddings]:
        if not texts:
            raise InvalidInput("texts is empty", field="texts")
        if len(texts) > self.settings.max_batch_texts:
            raise TooLarge(
                f"{len(texts)} texts in one call; the limit is {self.settings.max_batch_texts}", field="texts"
            )
        self._check_texts(texts, "texts")
        spec = await self.registry.resolve(tenant_id, model_id, (ModelType.EMBEDDING,))
        embedder: Embedder = await self._backend(spec, "embed")  # type: ignore[assignment]  # _backend returns object; the kind picks the protocol
        texts = await self._masked_texts(tenant_id, spec, texts)
        return spec, await self._timed(spec, embedder.embed(texts, role))

    async def rerank(
        self, tenant_id: str, model_id: str, query: str, passages: list[str]
    ) -> tuple[ModelSpec, list[float]]:
        if not query.strip():
            raise InvalidInput("query is empty", field="query")
        if not passages:
            raise InvalidInput("passages is empty", field="passages")
        if len(passages) > self.settings.max_batch_texts:
            raise TooLarge(
                f"{len(passages)} passages; the limit is {self.settings.max_batch_texts}", field="passages"
            )
        self._check_texts([query], "query")
        self._check_texts(passages, "passages")
        spec = await self.registry.resolve(tenant_id, model_id, (ModelType.RERANK,))
        reranker: Reranker = await self._backend(spec, "rerank")  # type: ignore[assignment]  # _backend returns object; the kind picks the protocol
        query, *passages = await self._masked_texts(tenant_id, spec, [query, *passages])
        scores = await self._timed(spec, reranker.rerank(query, passages))
        return spec, scores

    async def chat_stream(
        self, tenant_id: str, model_id: str, request: ChatInput
    ) -> tuple[ModelSpec, AsyncIterator[ChatEvent]]:
        """Resolve the model (errors surface here) and return its event stream."""
        if not request.messages and not request.question.strip():
            raise InvalidInput("a chat request needs messages or a question", field="messages")
        for i, message in enumerate(request.messages):
            if message.role not in ("system", "user", "assistant"):
                raise InvalidInput(
                    f"messages[{i}].role must be system, user or assistant", field=f"messages[{i}].role"
                )
        spec = await self.registry.resolve(tenant_id, model_id, CHAT_TYPES)
        model: ChatModel = await self._backend(spec, "chat")  # type: ignore[assignment]  # _backend returns object; the kind picks the protocol
        policy, types = await self._mask_policy(tenant_id, spec)
        if policy.applies(remote=spec.source is ModelSource.REMOTE):
            return spec, self._guarded(spec, masked_stream(model, request, types))
        return spec, self._guarded(spec, announced(request, model.stream(request)))

    async def _masked_texts(self, tenant_id: str, spec: ModelSpec, texts: list[str]) -> list[str]:
        """``texts`` as an embedder or reranker may see them: personal data replaced by typed placeholders
        when the tenant's policy masks for this model (one vault per text: nothing is restored)."""
        policy, types = await self._mask_policy(tenant_id, spec)
        if not policy.applies(remote=spec.source is ModelSource.REMOTE):
            return texts
        return [Vault(types).mask(text) for text in texts]

    async def _mask_policy(
        self, tenant_id: str, spec: ModelSpec
    ) -> tuple[MaskPolicy, frozenset[PiiType] | None]:
        """The model's ``pii_policy`` parameter, else the tenant's, else the setting; the tenant's types,
        else the setting's."""
        tenant = None
        if self._sessions is not None and tenant_id:
            async with self._sessions() as session:
                tenant = await session.get(Tenant, tenant_id)
        policy, types = tenant_mask(tenant, self.settings.pii_policy, self.settings.masked_types)
        override = spec.parameters.get("pii_policy")
        return (MaskPolicy(override) if override else policy), types

    async def _guarded(self, spec: ModelSpec, events: AsyncIterator[ChatEvent]) -> AsyncIterator[ChatEvent]:
        """Each event must arrive within the request timeout; a stream without usage is completed."""
        finished = False
        try:
            while True:
                try:
                    event = await self._timed(spec, anext(events))
                except StopAsyncIteration:
                    break
                finished = finished or event.usage is not None
                yield event
        finally:
            await events.aclose()  # type: ignore[attr-defined]  # the backend's stream is an async generator
        if not finished:
            raise JisikError(f"model backend {spec.name!r} ended the stream without usage")

    async def list_models(self, tenant_id: str) -> list[ModelInfo]:
        infos = []
        for spec in await self.registry.list(tenant_id):
            reason = self.factory.unavailable_reason(spec)
            infos.append(ModelInfo(spec, reason is None, reason or ""))
        return infos

    async def aclose(self) -> None:
        await self.factory.aclose()
        if self._engine is not None:
            await self._engine.dispose()
