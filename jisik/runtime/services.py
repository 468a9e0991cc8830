"""The jisik services: which module runs each one, in which start stage, and how readiness is probed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from jisik.settings import Settings
from jisik.settings.endpoints import Endpoint

__all__ = ["SERVICES", "ServiceSpec", "service"]

Probe = Literal["grpc", "http", "process"]


@dataclass(frozen=True)
class ServiceSpec:
    """One service. ``stage`` orders start-up: a stage starts once the previous one is ready."""

    name: str
    module: str
    stage: int
    probe: Probe
    address_setting: str = ""

    def endpoint(self, settings: Settings) -> Endpoint | None:
        """Where the service listens (None for workers without a port)."""
        if self.probe == "grpc":
            return Endpoint.parse(str(getattr(settings.endpoints, self.address_setting)))
        if self.probe == "http":
            return Endpoint(settings.endpoints.bind_host, settings.endpoints.gateway_port)
        return None

    def address(self, settings: Settings) -> str:
        """host:port the service listens on ("" for workers without a port)."""
        endpoint = self.endpoint(settings)
        return f"{endpoint.host}:{endpoint.port}" if endpoint else ""


# Ingest starts beside the services it calls: joining its consumer groups takes seconds, and a
# document that reaches a service not serving yet waits that out (an outage) and goes on.
SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("docreader", "docreader.server", 0, "grpc", "docreader_addr"),
    ServiceSpec("retriever", "retriever.server", 0, "grpc", "retriever_addr"),
    ServiceSpec("model", "ml.serving.server", 0, "grpc", "model_addr"),
    ServiceSpec("ingest", "ingest.server", 0, "process"),
    ServiceSpec("cdc", "cdc.server", 1, "process"),
    ServiceSpec("trainer", "ml.training.server", 1, "process"),
    ServiceSpec("webhooks", "jisik.webhooks.server", 1, "process"),
    ServiceSpec("gateway", "gateway.server", 1, "http"),
)


def service(name: str) -> ServiceSpec:
    """The spec named ``name``; KeyError naming the known services otherwise."""
    for spec in SERVICES:
        if spec.name == name:
            return spec
    raise KeyError(f"unknown service {name!r}; known: {', '.join(s.name for s in SERVICES)}")
