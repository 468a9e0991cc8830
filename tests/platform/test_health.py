"""jisik.health.check_dependencies against real PostgreSQL, the real broker and real gRPC health servers."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator, Mapping

import pytest
from grpc_health.v1 import health_pb2

from jisik.grpc_server import create_server
from jisik.health import BusyTolerance, DependencyStatus, check_dependencies, grpc_status
from jisik.runtime.tansu import EmbeddedTansu
from jisik.settings import EndpointSettings, Settings
from tests.conftest import free_port

pytestmark = pytest.mark.integration


@pytest.fixture
async def grpc_services() -> AsyncIterator[dict[str, object]]:
    """Three bare gRPC servers with health: docreader SERVING, retriever SERVING, model NOT_SERVING."""
    started: dict[str, object] = {}
    servers = []
    for name, status in (
        ("docreader", health_pb2.HealthCheckResponse.SERVING),
        ("retriever", health_pb2.HealthCheckResponse.SERVING),
        ("model", health_pb2.HealthCheckResponse.NOT_SERVING),
    ):
        server, port, health = create_server(
            register=lambda s: None, service_names=[], address="127.0.0.1:0", endpoints=EndpointSettings()
        )
        await server.start()
        await health.set("", status)
        servers.append(server)
        started[name] = f"127.0.0.1:{port}"
    yield started
    for server in servers:
        await server.stop(0)


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def _settings(database_url: str, bootstrap: str, addresses: Mapping[str, object]) -> Settings:
    base = Settings.load()
    return base.model_copy(
        update={
            "database": base.database.model_copy(update={"url": database_url}),
            "kafka": base.kafka.model_copy(update={"bootstrap_servers": bootstrap}),
            "endpoints": base.endpoints.model_copy(
                update={f"{name}_addr": address for name, address in addresses.items()}
            ),
        }
    )


class TestCheckDependencies:
    async def test_reports_each_dependency(
        self, fresh_database: str, kafka: EmbeddedTansu, grpc_services: dict[str, object]
    ) -> None:
        results = await check_dependencies(_settings(fresh_database, kafka.bootstrap_servers, grpc_services))
        assert set(results) == {"database", "kafka", "docreader", "retriever", "model"}
        assert all(results[name].ok for name in ("database", "kafka", "docreader", "retriever"))
        assert not results["model"].ok
        assert results["model"].reason == "health status is NOT_SERVING"

    async def test_down_services_have_reasons_without_the_password(self, silent_port: int) -> None:
        closed = free_port()
        url = f"postgresql://jisik:Sup3rS3cret@127.0.0.1:{closed}/jisik"
        addresses = {name: f"127.0.0.1:{closed}" for name in ("docreader", "retriever", "model")}
        results = await check_dependencies(_settings(url, f"127.0.0.1:{silent_port}", addresses), timeout_s=1.0)
        assert not any(status.ok for status in results.values())
        assert results["kafka"].reason == "no answer in time"
        assert "UNAVAILABLE" in results["docreader"].reason
        assert all("Sup3rS3cret" not in status.reason for status in results.values())
        assert results["database"].reason


class TestBusyTolerance:
    async def test_a_service_that_answered_recently_and_now_times_out_is_busy_not_down(
        self, grpc_services: dict[str, object], silent_port: int
    ) -> None:
        tolerance = BusyTolerance(window_s=30)
        answered = await grpc_status(str(grpc_services["retriever"]), timeout_s=1.0)
        slow = await grpc_status(f"127.0.0.1:{silent_port}", timeout_s=1.0)
        refused = await grpc_status(f"127.0.0.1:{free_port()}", timeout_s=1.0)
        assert answered.ok and not slow.ok and not refused.ok
        assert tolerance.apply({"retriever": answered}, now=100.0)["retriever"].ok
        busy = tolerance.apply({"retriever": slow}, now=110.0)["retriever"]
        assert busy.ok and busy.reason.startswith("busy")
        assert not tolerance.apply({"retriever": refused}, now=111.0)["retriever"].ok
        assert not tolerance.apply({"retriever": slow}, now=200.0)["retriever"].ok

    def test_a_service_never_seen_answering_is_down(self) -> None:
        timed_out = DependencyStatus(ok=False, reason="no answer in time")
        assert not BusyTolerance(window_s=30).apply({"retriever": timed_out}, now=5.0)["retriever"].ok
