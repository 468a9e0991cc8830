from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .common import Strict


class ChunkingConfig(Strict):
    chunk_size: int = Field(512, ge=64, le=8192)
    chunk_overlap: int = Field(50, ge=0, le=2048)
    separators: list[str] = Field(default_factory=lambda: ["\n\n", "\n", "。"])
    # WeKnora keeps the multimodal switch here; jisik's ingest reads image_processing_config.
    enable_multimodal: bool = False


class KnowledgeBaseCreate(Strict):
    name: str = Field(min_length=1, max_length=255)
    description: str = Field("", max_length=2000)
    chunking_config: ChunkingConfig = Field(default_factory=lambda: ChunkingConfig())
    image_processing_config: dict[str, Any] = Field(default_factory=dict)
    embedding_model_id: str = Field("", max_length=64)
    summary_model_id: str = Field("", max_length=64)
    rerank_model_id: str = Field("", max_length=64)
    vlm_model_id: str = Field("", max_length=64)
    retention_days: int | None = Field(
        None, ge=1, le=36500, description="Erase documents this many days after upload; null = the tenant's setting"
    )

    def values(self) -> dict[str, Any]:
        return _fold_multimodal(self.model_dump())


def _fold_multimodal(values: dict[str, Any]) -> dict[str, Any]:
    """Move WeKnora's ``chunking_config.enable_multimodal`` into ``image_processing_config``."""
    chunking = values.get("chunking_config")
    if isinstance(chunking, dict) and "enable_multimodal" in chunking:
        enabled = chunking.pop("enable_multimodal")
        if enabled:
            values["image_processing_config"] = {**(values.get("image_processing_config") or {}),
                                                 "enable_multimodal": True}
    return values


class KnowledgeBaseUpdate(Strict):
    name: str | None = Field(None, min_length=1, max_length=255)
    description: str | None = Field(None, max_length=2000)
    chunking_config: ChunkingConfig | None = None
    image_processing_config: dict[str, Any] | None = None
    summary_model_id: str | None = Field(None, max_length=64)
    rerank_model_id: str | None = Field(None, max_length=64)
    vlm_model_id: str | None = Field(None, max_length=64)
    retention_days: int | None = Field(
        None, ge=1, le=36500, description="Erase documents this many days after upload; null = the tenant's setting"
    )

    def values(self) -> dict[str, Any]:
        return _fold_multimodal(self.model_dump(exclude_unset=True))


class KnowledgeBasePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    tenant_id: str
    name: str
    description: str
    chunking_config: dict[str, Any]
    image_processing_config: dict[str, Any]
    embedding_model_id: str
    summary_model_id: str
    rerank_model_id: str
    vlm_model_id: str
    retention_days: int | None = None
    created_at: datetime
    updated_at: datetime
