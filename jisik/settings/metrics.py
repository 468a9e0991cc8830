"""Where each process serves its Prometheus metrics (the gateway serves them at ``/metrics``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ._base import JisikSettings


class MetricsSettings(JisikSettings):
    """A metrics port per worker process; 0 serves none. Ports bind on ``JISIK_BIND_HOST``."""

    config_table = "metrics"
    model_config = SettingsConfigDict(env_prefix="JISIK_METRICS_", extra="ignore", frozen=True)

    docreader_port: int = Field(0, ge=0, le=65535, description="docreader metrics port (0 = no metrics endpoint)")
    retriever_port: int = Field(0, ge=0, le=65535, description="retriever metrics port (0 = no metrics endpoint)")
    model_port: int = Field(0, ge=0, le=65535, description="model service metrics port (0 = no metrics endpoint)")
    ingest_port: int = Field(0, ge=0, le=65535, description="ingest workers' metrics port (0 = no metrics endpoint)")
    cdc_port: int = Field(0, ge=0, le=65535, description="CDC relay metrics port (0 = no metrics endpoint)")
    webhooks_port: int = Field(0, ge=0, le=65535, description="Webhook delivery worker's metrics port (0 = no metrics endpoint)")
    trainer_port: int = Field(0, ge=0, le=65535, description="Model trainer's metrics port (0 = no metrics endpoint)")
    gateway_endpoint: bool = Field(True, description="Serve /metrics on the gateway")
    record: bool = Field(
        True, description="Record metrics; false makes every counter, gauge and histogram a no-op "
        "(to measure what they cost)"
    )

    def port_for(self, service: str) -> int:
        """The metrics port of ``service`` (0 for the gateway, which serves /metrics itself)."""
        return int(getattr(self, f"{service}_port", 0))
