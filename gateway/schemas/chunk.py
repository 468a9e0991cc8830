from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .common import Strict


class ChunkPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    knowledge_id: str
    knowledge_base_id: str
    content: str
    chunk_index: int
    start_at: int
    end_at: int
    pages: list[int]
    chunk_type: str
    image_info: list[dict[str, Any]]
    is_enabled: bool
    created_at: datetime
    updated_at: datetime


class ChunkUpdate(Strict):
    content: str | None = Field(None, min_length=1, max_length=100_000)
    is_enabled: bool | None = None
