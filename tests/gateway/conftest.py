"""Fixtures of the gateway tests: one real gateway per module on a migrated database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from gateway_testkit import RunningGateway, gateway_settings, running_gateway
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from jisik.runtime.tansu import EmbeddedTansu
from jisik.settings import TelemetrySettings
from jisik.telemetry import configure_tracing


@pytest.fixture(scope="module")
async def gateway(
    module_database: str, kafka: EmbeddedTansu, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[RunningGateway]:
    data_dir: Path = tmp_path_factory.mktemp("gateway")
    settings = gateway_settings(module_database, data_dir, kafka_servers=kafka.bootstrap_servers)
    async with running_gateway(settings) as running:
        yield running


@pytest.fixture(scope="session")
def spans() -> InMemorySpanExporter:
    """Every span this test process ends, kept in memory."""
    exporter = InMemorySpanExporter()
    configure_tracing("gateway-tests", TelemetrySettings(), extra_processor=SimpleSpanProcessor(exporter))
    return exporter
