"""PostgreSQL connection settings."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from ._base import JisikSettings


class DatabaseSettings(JisikSettings):
    """An empty ``url`` means: use the embedded PostgreSQL that ``jisik up`` starts."""

    config_table = "database"
    model_config = SettingsConfigDict(env_prefix="JISIK_DB_", extra="ignore", frozen=True)

    url: str = Field("", description="postgresql://user:pass@host:port/db; empty = embedded")
    pool_size: int = Field(10, ge=1, le=200)
    embedded_port: int = Field(
        15432, ge=1, le=65535, description="Port of the embedded PostgreSQL (below the ephemeral port range)"
    )

    @field_validator("url")
    @classmethod
    def _postgres_only(cls, value: str) -> str:
        if value and not value.startswith(("postgresql://", "postgresql+asyncpg://", "postgres://")):
            raise ValueError("JISIK_DB_URL must be a postgresql:// URL")
        return value
