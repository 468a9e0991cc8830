"""Prometheus metrics: gRPC calls through the shared server bootstrap and gateway requests are
counted and timed under bounded labels, and a real scrape of each endpoint parses (and passes
``promtool check metrics`` where promtool is installed)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Iterator

import grpc
import httpx
import pytest
from model_server import model_channel
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from gateway.app import create_app
from jisik import errors
from jisik.metrics import RPC_REQUESTS, RPC_SECONDS, recording_paused, serve_metrics
from jisik.proto import model_pb2, model_pb2_grpc
from jisik.settings import Settings
from tests.stack import EmbeddedStack

EMBED = "/jisik.model.v1.Model/Embed"
CHAT = "/jisik.model.v1.Model/ChatStream"


class Scripted(model_pb2_grpc.ModelServicer):
    """``model_id`` picks the ending: ok, a jisik error, a bare abort, a crash, or (streams) slow."""

    async def Embed(self, request: model_pb2.EmbedRequest, context: grpc.aio.ServicerContext) -> model_pb2.EmbedResponse:
        if request.model_id == "missing":
            raise errors.NotFound("no such model")
        if request.model_id == "abort":
            await context.abort(grpc.StatusCode.PERMISSION_DENIED, "refused")
        if request.model_id == "crash":
            raise RuntimeError("boom")
        return model_pb2.EmbedResponse(model_id=request.model_id)

    async def ChatStream(
        self, request: model_pb2.ChatRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[model_pb2.ChatChunk]:
        for word in ("a", "b", "c"):
            yield model_pb2.ChatChunk(delta=word)
            if request.model_id == "slow":
                await asyncio.sleep(30)
        if request.model_id == "missing":
            raise errors.NotFound("no such model")


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """``{(sample name, labels): value}`` of one scrape."""
    found: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(scrape: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return scrape.get((name, frozenset(labels.items())), 0.0)


def check_with_promtool(text: str) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        return
    result = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def metrics_url() -> Iterator[str]:
    port = serve_metrics("127.0.0.1", 0)
    yield f"http://127.0.0.1:{port}/metrics"


@pytest.fixture(scope="module")
async def stub() -> AsyncIterator[model_pb2_grpc.ModelStub]:
    async with model_channel(Scripted()) as channel:
        yield model_pb2_grpc.ModelStub(channel)


async def scrape(url: str) -> str:
    async with httpx.AsyncClient() as client:
        response = await client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


async def test_rpc_calls_are_counted_by_method_and_status(stub: model_pb2_grpc.ModelStub, metrics_url: str) -> None:
    before = samples(await scrape(metrics_url))
    await stub.Embed(model_pb2.EmbedRequest(model_id="ok"))
    await stub.Embed(model_pb2.EmbedRequest(model_id="ok"))
    for model_id in ("missing", "abort", "crash"):
        with pytest.raises(grpc.aio.AioRpcError):
            await stub.Embed(model_pb2.EmbedRequest(model_id=model_id))
    chunks = [chunk async for chunk in stub.ChatStream(model_pb2.ChatRequest(model_id="ok"))]
    assert [chunk.delta for chunk in chunks] == ["a", "b", "c"]
    with pytest.raises(grpc.aio.AioRpcError):
        async for _ in stub.ChatStream(model_pb2.ChatRequest(model_id="missing")):
            pass
    text = await scrape(metrics_url)
    after = samples(text)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("jisik_rpc_requests_total", method=EMBED, code="OK") == 2
    assert delta("jisik_rpc_requests_total", method=EMBED, code="NOT_FOUND") == 1
    assert delta("jisik_rpc_requests_total", method=EMBED, code="PERMISSION_DENIED") == 1
    assert delta("jisik_rpc_requests_total", method=EMBED, code="UNKNOWN") == 1
    assert delta("jisik_rpc_requests_total", method=CHAT, code="OK") == 1
    assert delta("jisik_rpc_requests_total", method=CHAT, code="NOT_FOUND") == 1
    assert delta("jisik_rpc_request_duration_seconds_count", method=EMBED) == 5
    assert delta("jisik_rpc_request_duration_seconds_bucket", method=EMBED, le="+Inf") == 5
    check_with_promtool(text)


async def test_a_stream_the_caller_cancels_is_counted_as_cancelled(
    stub: model_pb2_grpc.ModelStub, metrics_url: str
) -> None:
    before = samples(await scrape(metrics_url))
    call = stub.ChatStream(model_pb2.ChatRequest(model_id="slow"))
    assert (await call.read()).delta == "a"
    call.cancel()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the server learns of the cancellation a moment later
        after = samples(await scrape(metrics_url))
        counted = {code: value(after, "jisik_rpc_requests_total", method=CHAT, code=code)
                   - value(before, "jisik_rpc_requests_total", method=CHAT, code=code)
                   for code in ("CANCELLED", "OK", "UNKNOWN")}
        if any(counted.values()):
            break
        await asyncio.sleep(0.05)
    assert counted == {"CANCELLED": 1, "OK": 0, "UNKNOWN": 0}


async def test_health_checks_are_not_counted(stub: model_pb2_grpc.ModelStub, metrics_url: str) -> None:
    text = await scrape(metrics_url)
    assert "grpc.health" not in text


@pytest.fixture(scope="module")
def gateway_settings() -> Settings:
    base = Settings.load()
    return base.model_copy(update={"gateway": base.gateway.model_copy(update={"web_dist": "/nonexistent"})})


async def test_gateway_serves_metrics_by_route_template(embedded_stack: EmbeddedStack) -> None:
    headers = {"X-API-Key": embedded_stack.api_key}
    async with httpx.AsyncClient(base_url=embedded_stack.gateway_url, timeout=30) as client:
        before = samples((await client.get("/metrics")).text)
        for secret in ("s3cr3t-one", "s3cr3t-two"):
            assert (await client.get(f"/api/v1/sessions/{secret}", headers=headers)).status_code == 404
        await client.get("/health")
        await client.get("/api/v1/no/such/path/at-all")
        await client.request("BREW", "/health")
        response = await client.get("/metrics")
    assert response.status_code == 200
    text = response.text
    after = samples(text)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert "s3cr3t" not in text and "at-all" not in text
    assert delta("jisik_http_requests_total", method="GET", route="/api/v1/sessions/{session_id}", code="404") == 2
    assert delta("jisik_http_requests_total", method="GET", route="/health", code="200") == 1
    # Without a web build nothing matches; with one, the web app's catch-all template does.
    fallbacks = ("unmatched", "/{path:path}")
    assert sum(delta("jisik_http_requests_total", method="GET", route=route, code="404") for route in fallbacks) == 1
    assert sum(
        delta("jisik_http_requests_total", method="other", route=route, code=code)
        for route in ("/health", *fallbacks) for code in ("404", "405")
    ) == 1
    assert delta("jisik_http_request_duration_seconds_count", method="GET", route="/health") == 1
    check_with_promtool(text)


@pytest.mark.parametrize(
    ("service", "family"),
    [
        ("docreader", "jisik_rpc_requests"),
        ("retriever", "jisik_rpc_requests"),
        ("model", "jisik_model_chat_tokens"),
        ("ingest", "jisik_ingest_records"),
        ("cdc", "jisik_cdc_records_published"),
    ],
)
async def test_every_worker_process_serves_metrics(embedded_stack: EmbeddedStack, service: str, family: str) -> None:
    port = embedded_stack.settings.metrics.port_for(service)
    text = await scrape(f"http://127.0.0.1:{port}/metrics")
    names = {metric.name for metric in text_string_to_metric_families(text)}
    assert family in names
    assert "process_cpu_seconds" in names
    check_with_promtool(text)


async def test_gateway_metrics_can_be_switched_off(gateway_settings: Settings) -> None:
    settings = gateway_settings.model_copy(
        update={"metrics": gateway_settings.metrics.model_copy(update={"gateway_endpoint": False})}
    )
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as client:
        response = await client.get("/metrics")
    assert response.status_code == 404


def test_paused_recording_records_nothing_until_resumed() -> None:
    """The switch behind JISIK_METRICS_RECORD=false and the benchmarks' --metrics-overhead."""
    from cdc.metrics import SLOT_LAG_BYTES

    method = "/jisik.test.v1.Paused/Call"
    SLOT_LAG_BYTES.set(7)
    with recording_paused():
        RPC_REQUESTS.labels(method, "OK").inc()
        RPC_SECONDS.labels(method).observe(0.5)
        SLOT_LAG_BYTES.set(99)
    assert REGISTRY.get_sample_value("jisik_rpc_requests_total", {"method": method, "code": "OK"}) is None
    assert REGISTRY.get_sample_value("jisik_rpc_request_duration_seconds_count", {"method": method}) is None
    assert REGISTRY.get_sample_value("jisik_cdc_slot_lag_bytes") == 7
    RPC_REQUESTS.labels(method, "OK").inc()
    SLOT_LAG_BYTES.set(0)
    assert REGISTRY.get_sample_value("jisik_rpc_requests_total", {"method": method, "code": "OK"}) == 1
    assert REGISTRY.get_sample_value("jisik_cdc_slot_lag_bytes") == 0
