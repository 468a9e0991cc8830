"""PostgreSQL connection settings."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from ._base import JisikSettings

__all__ = ["EMBEDDED_DATABASE", "EMBEDDED_USER", "DatabaseSettings", "embedded_dsn"]

EMBEDDED_USER = "postgres"
EMBEDDED_DATABASE = "jisik"


def embedded_dsn(port: int) -> str:
    """The database the embedded PostgreSQL on ``port`` serves."""
    return f"postgresql://{EMBEDDED_USER}@127.0.0.1:{port}/{EMBEDDED_DATABASE}"


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

    @property
    def dsn(self) -> str:
        """The database every process uses: ``url``, else the embedded server's."""
        return self.url or embedded_dsn(self.embedded_port)
