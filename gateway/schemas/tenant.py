from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from .common import Strict


class TenantCreate(Strict):
    name: str = Field(min_length=1, max_length=255)
    description: str = Field("", max_length=2000)


class TenantUpdate(Strict):
    name: str | None = Field(None, min_length=1, max_length=255)
    description: str | None = Field(None, max_length=2000)


class TenantPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    description: str
    api_key_prefix: str
    storage_quota: int
    storage_used: int
    created_at: datetime
    updated_at: datetime


class TenantCreated(TenantPublic):
    # Shown once, at creation; only its hash is stored.
    api_key: str
