"""Model service settings."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from jisik.pii import MaskPolicy, PiiType

from ._base import JisikSettings


class ModelSettings(JisikSettings):
    config_table = "model"
    model_config = SettingsConfigDict(env_prefix="JISIK_MODEL_", extra="ignore", frozen=True)

    default_embedding: str = Field("multilingual-e5-small", description="Built-in default embedder")
    default_chat: str = Field("extractive", description="Built-in default chat backend")
    default_rerank: str = Field(
        "", description="Default reranker (empty = e5-similarity, cosine of e5 vectors)"
    )
    request_timeout_s: float = Field(60.0, gt=0, description="Limit per model call / per streamed chunk")
    connect_timeout_s: float = Field(5.0, gt=0, description="TCP connect limit for remote backends")
    max_retries: int = Field(3, ge=0, description="Retries of a failed remote (sub-)batch")
    retry_backoff_s: float = Field(0.5, ge=0, description="First retry delay; doubles each attempt")
    max_retry_after_s: float = Field(30.0, ge=0, description="Longest Retry-After honoured before failing")
    max_concurrency: int = Field(4, ge=1, description="Concurrent calls per backend")
    max_batch_texts: int = Field(256, ge=1, description="Largest Embed request accepted")
    remote_batch_size: int = Field(32, ge=1, description="Texts per remote embedding sub-batch")
    batch_window_ms: float = Field(5.0, ge=0, description="How long dynamic batching waits for more texts")
    batch_max_texts: int = Field(64, ge=1, description="Texts per merged local embedding call")
    max_text_chars: int = Field(100_000, ge=1, description="Longer inputs are refused, not truncated")
    embed_cache_entries: int = Field(50_000, ge=0, description="Embedding cache size (0 disables)")
    threads: int = Field(0, ge=0, description="Threads of the local embedding engine (0 = all cores)")
    cache_dir: Path | None = Field(None, description="Converted local models; default ~/.cache/jisik/models")
    gguf_path: Path | None = Field(None, description="Local GGUF chat model for the llama-cpp backend")
    models_dir: Path | None = Field(
        None,
        description="The only directory tenants' local models (parameters.path) may be loaded from; "
        "unset = tenants cannot load model files",
    )
    pii_policy: MaskPolicy = Field(
        MaskPolicy.REMOTE,
        description="Mask personal data in chat prompts: off, remote (only for remote models) or always; "
        "a model's parameters.pii_policy overrides it",
    )
    pii_types: str = Field(
        "", description="Comma-separated PII types to mask (RRN, PHONE, NAME …); empty = every type"
    )

    @field_validator("pii_types")
    @classmethod
    def _known_types(cls, value: str) -> str:
        names = [name.strip().upper() for name in value.split(",") if name.strip()]
        unknown = [name for name in names if name not in PiiType.__members__]
        if unknown:
            raise ValueError(f"unknown PII types {unknown}; known: {', '.join(PiiType.__members__)}")
        return ",".join(names)

    @property
    def masked_types(self) -> frozenset[PiiType] | None:
        """The PII types to mask; ``None`` means every type."""
        return frozenset(PiiType(name) for name in self.pii_types.split(",")) if self.pii_types else None
