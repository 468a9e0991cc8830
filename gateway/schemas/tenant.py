from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from jisik.pii import MaskPolicy, PiiType

from .common import Strict


class TenantCreate(Strict):
    name: str = Field(min_length=1, max_length=255)
    description: str = Field("", max_length=2000)


class TenantUpdate(Strict):
    name: str | None = Field(None, min_length=1, max_length=255)
    description: str | None = Field(None, max_length=2000)
    pii_policy: MaskPolicy | None = Field(
        None, description="Mask personal data in chat prompts: off, remote (remote models only) or always"
    )
    pii_types: list[PiiType] | None = Field(None, description="PII types to mask; empty = every type")
    training_consent: bool | None = Field(
        None, description="May this tenant's data go into training snapshots"
    )
    retention_days: int | None = Field(
        None, ge=1, le=36500, description="Erase documents this many days after upload; null = keep until deleted"
    )

    @field_validator("pii_types")
    @classmethod
    def _unique(cls, value: list[PiiType] | None) -> list[PiiType] | None:
        return None if value is None else sorted(set(value))


class TenantPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    description: str
    api_key_prefix: str
    storage_quota: int
    storage_used: int
    pii_policy: MaskPolicy | None = None
    pii_types: list[PiiType] = []
    training_consent: bool = False
    retention_days: int | None = None
    created_at: datetime

    @field_validator("pii_types", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return [name for name in value.split(",") if name] if isinstance(value, str) else value

    updated_at: datetime


class TenantCreated(TenantPublic):
    # Shown once, at creation; only its hash is stored.
    api_key: str
