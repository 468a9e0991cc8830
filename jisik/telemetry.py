"""OpenTelemetry setup and W3C trace-context propagation over gRPC metadata and Kafka headers.

Spans carry ids, counts and timings only: never API keys, passwords or document text.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanProcessor

from jisik.pii.redaction import PiiSpanProcessor
from jisik.settings import TelemetrySettings

__all__ = [
    "attached",
    "configure_tracing",
    "context_from_headers",
    "context_from_metadata",
    "inject_headers",
    "inject_metadata",
    "tracer",
]

logger = logging.getLogger(__name__)
_configured = False


def configure_tracing(
    service_name: str,
    settings: TelemetrySettings,
    *,
    extra_processor: SpanProcessor | None = None,
) -> TracerProvider:
    """Install the process-wide tracer provider once. OTLP export only when an endpoint is set.

    Every exporting processor sees spans through :class:`PiiSpanProcessor`, so no personal data in an
    attribute, event or status leaves the process."""
    global _configured
    current = trace.get_tracer_provider()
    if _configured and isinstance(current, TracerProvider):
        if extra_processor is not None:
            current.add_span_processor(PiiSpanProcessor(extra_processor))
        return current
    resource = Resource.create(
        {"service.name": service_name, "service.namespace": settings.service_namespace}
    )
    provider = TracerProvider(resource=resource)
    if settings.exporter_otlp_endpoint:
        provider.add_span_processor(
            PiiSpanProcessor(BatchSpanProcessor(_otlp_exporter(settings.exporter_otlp_endpoint)))
        )
    if extra_processor is not None:
        provider.add_span_processor(PiiSpanProcessor(extra_processor))
    trace.set_tracer_provider(provider)
    _configured = True
    return provider


def _otlp_exporter(endpoint: str) -> SpanExporter:
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter(endpoint=endpoint, insecure=not endpoint.startswith("https://"))


def tracer(name: str) -> trace.Tracer:
    return trace.get_tracer(name)


def inject_metadata(metadata: Sequence[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    """gRPC call metadata with the current trace context added."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return [*metadata, *carrier.items()]


def context_from_metadata(metadata: Iterable[tuple[str, Any]] | None) -> Context:
    carrier = {key: value for key, value in (metadata or ()) if isinstance(value, str)}
    return propagate.extract(carrier)


def inject_headers() -> list[tuple[str, bytes]]:
    """Kafka record headers carrying the current trace context."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return [(key, value.encode()) for key, value in carrier.items()]


def context_from_headers(headers: Iterable[tuple[str, bytes]] | Mapping[str, Any] | None) -> Context:
    pairs = headers.items() if isinstance(headers, Mapping) else (headers or ())
    carrier = {key: value.decode() if isinstance(value, bytes) else str(value) for key, value in pairs}
    return propagate.extract(carrier)


@contextmanager
def attached(context: Context) -> Iterator[None]:
    """Make ``context`` (a caller's trace context and baggage) current for the block."""
    token = otel_context.attach(context)
    try:
        yield
    finally:
        otel_context.detach(token)
