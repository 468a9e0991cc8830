"""Kafka connection settings."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ._base import JisikSettings


class KafkaSettings(JisikSettings):
    """An empty ``bootstrap_servers`` means: use the embedded Tansu broker."""

    config_table = "kafka"
    model_config = SettingsConfigDict(env_prefix="JISIK_KAFKA_", extra="ignore", frozen=True)

    bootstrap_servers: str = Field("", description="host:port[,host:port]; empty = embedded Tansu")
    embedded_port: int = Field(
        19092, ge=1, le=65535, description="Port of the embedded broker (below the ephemeral port range)"
    )
    client_id: str = "jisik"
    session_timeout_ms: int = Field(
        6_000, ge=1000,
        description="Consumer session timeout: a consumer silent this long loses its partitions. The embedded "
        "broker holds every consumer group join for half of it, so it is also what a restart costs before "
        "work resumes (6000 is Kafka's smallest accepted by default)",
    )

    @property
    def brokers(self) -> str:
        """The bootstrap list every client uses: ``bootstrap_servers``, else the embedded broker."""
        return self.bootstrap_servers or f"127.0.0.1:{self.embedded_port}"
