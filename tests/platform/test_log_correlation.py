"""Log correlation: a log line written while serving a gRPC call carries the caller's trace id and the
request id the gateway gave the request, carried over real gRPC metadata as W3C baggage."""

from __future__ import annotations

import asyncio
import io
import logging
import re
import uuid
from collections.abc import Iterator

import grpc
import httpx
import pytest
from model_server import model_channel
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from jisik.log_context import LOG_FORMAT, CorrelationFilter, with_request_id
from jisik.proto import model_pb2, model_pb2_grpc
from jisik.telemetry import attached
from tests.stack import EmbeddedStack

logger = logging.getLogger("tests.log_correlation")


class Logging(model_pb2_grpc.ModelServicer):
    async def Embed(self, request: model_pb2.EmbedRequest, context: grpc.aio.ServicerContext) -> model_pb2.EmbedResponse:
        logger.warning("embedding for %s", request.model_id)
        return model_pb2.EmbedResponse(model_id=request.model_id)


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(CorrelationFilter())
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


def _tracer() -> trace.Tracer:
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
    return provider.get_tracer(__name__)


async def test_a_served_call_logs_the_callers_trace_and_request_id(log_lines: io.StringIO) -> None:
    async with model_channel(Logging()) as channel:
        with attached(with_request_id("req-4242")), _tracer().start_as_current_span("caller") as span:
            trace_id = format(span.get_span_context().trace_id, "032x")
            await model_pb2_grpc.ModelStub(channel).Embed(model_pb2.EmbedRequest(model_id="m"))
        await model_pb2_grpc.ModelStub(channel).Embed(model_pb2.EmbedRequest(model_id="outside"))
    first, second = log_lines.getvalue().splitlines()
    assert f"[trace={trace_id} request=req-4242]" in first
    assert "request=-" in second and trace_id not in second


def test_a_line_outside_any_request_has_placeholders(log_lines: io.StringIO) -> None:
    logger.warning("idle")
    assert "[trace=- request=-]: idle" in log_lines.getvalue()


async def test_the_gateway_process_logs_the_request_id_and_trace_of_a_request(embedded_stack: EmbeddedStack) -> None:
    request_id = f"corr-{uuid.uuid4().hex[:12]}"
    async with httpx.AsyncClient(base_url=embedded_stack.gateway_url, timeout=30) as client:
        response = await client.get("/health", headers={"X-Request-ID": request_id})
    assert response.headers["x-request-id"] == request_id
    pattern = re.compile(rf"\[trace=[0-9a-f]{{32}} request={request_id}\]: .*GET /health")
    for _ in range(50):
        if any(pattern.search(line) for line in embedded_stack.log_path("gateway").read_text().splitlines()):
            return
        await asyncio.sleep(0.1)
    pytest.fail(f"no gateway log line carries request {request_id} with a trace id")
