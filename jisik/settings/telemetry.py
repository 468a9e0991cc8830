"""OpenTelemetry settings. The standard OTEL_* names are used as-is."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ._base import JisikSettings


class TelemetrySettings(JisikSettings):
    config_table = "telemetry"
    model_config = SettingsConfigDict(env_prefix="OTEL_", extra="ignore", frozen=True)

    exporter_otlp_endpoint: str = Field("", description="OTLP gRPC endpoint; empty = no export")
    service_namespace: str = "jisik"
    log_level: str = Field("INFO", alias="JISIK_LOG_LEVEL")
