"""Tenants: the unit of isolation. Every other row carries a tenant_id."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from ._common import id_field, timestamp_field

DEFAULT_STORAGE_QUOTA = 10 * 1024**3


class Tenant(SQLModel, table=True):
    __tablename__ = "tenants"

    id: str = id_field()
    name: str = Field(max_length=255)
    description: str = ""
    # sha256 of the API key; the key itself is shown once and never stored.
    api_key_hash: str = Field(max_length=64, unique=True, index=True)
    # First characters of the key, so a user can tell keys apart.
    api_key_prefix: str = Field(max_length=16)
    # Bytes: 64-bit, the default quota alone exceeds int32.
    storage_quota: int = Field(default=DEFAULT_STORAGE_QUOTA, sa_type=BigInteger)
    storage_used: int = Field(default=0, sa_type=BigInteger)
    # PII mask for chat prompts: off | remote | always; None follows the model service's setting.
    pii_policy: str | None = Field(default=None, max_length=16)
    # Comma-separated PII types to mask; '' = the service's setting.
    pii_types: str = Field(default="", max_length=200)
    # Whether this tenant's data may go into training snapshots (off until the tenant says yes).
    training_consent: bool = False
    # Most active people (service accounts take no seat); None = the accounts.default_seat_limit setting.
    seat_limit: int | None = None
    # Days a document is kept before the retention purge erases it; None = until deleted.
    retention_days: int | None = None
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field(onupdate=True)
