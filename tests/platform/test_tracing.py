"""One trace crosses HTTP (the gateway's request middleware), a jisik gRPC server and a Kafka consumer,
and no API key or document text lands in a span or a log line on the way.

Built from the real jisik pieces in one process (gateway.middleware, jisik.grpc_server, jisik.kafka and
the Tansu broker) so the in-memory exporter sees every span.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

import grpc
import httpx
import pytest
from fastapi import FastAPI, Request
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from gateway.middleware import RequestContextMiddleware
from jisik.grpc_server import create_server, grpc_channel
from jisik.kafka import create_consumer, create_producer, decode_value, ensure_topics, publish, record_context
from jisik.proto import docreader_pb2, docreader_pb2_grpc
from jisik.runtime.tansu import EmbeddedTansu
from jisik.settings import EndpointSettings, KafkaSettings, TelemetrySettings
from jisik.telemetry import configure_tracing

pytestmark = pytest.mark.integration

API_KEY = "sk-" + "k" * 40
DOCUMENT_TEXT = "Quarterly revenue of the secret project Hwangso rose 17 percent."


@pytest.fixture(scope="module")
def spans() -> Iterator[InMemorySpanExporter]:
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = configure_tracing("jisik-tests", TelemetrySettings())
    exporter = InMemorySpanExporter()
    processor = SimpleSpanProcessor(exporter)
    provider.add_span_processor(processor)
    yield exporter
    processor.shutdown()


class _LogRecorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def log_lines() -> Iterator[list[str]]:
    root = logging.getLogger()
    recorder, level = _LogRecorder(), root.level
    root.addHandler(recorder)
    root.setLevel(logging.DEBUG)
    yield recorder.lines
    root.removeHandler(recorder)
    root.setLevel(level)


class _Reader(docreader_pb2_grpc.DocReaderServicer):
    """Parses nothing; announces the document on Kafka, as the pipeline's stages do."""

    def __init__(self, producer: Any, topic: str) -> None:
        self.producer, self.topic = producer, topic

    async def ReadFromFile(  # noqa: N802 - generated name
        self, request: docreader_pb2.ReadFromFileRequest, context: grpc.aio.ServicerContext
    ) -> docreader_pb2.ReadResponse:
        value = {"file_name": request.file_name, "size": len(request.file_content)}
        await publish(self.producer, self.topic, key=request.request_id, value=value)
        return docreader_pb2.ReadResponse()


def _app(address: str) -> FastAPI:
    app = FastAPI()
    app.add_middleware(RequestContextMiddleware)

    @app.post("/api/v1/upload/{name}")
    async def upload(name: str, request: Request) -> dict[str, str]:
        assert request.headers["x-api-key"] == API_KEY
        async with grpc_channel(address, EndpointSettings()) as channel:
            reader = docreader_pb2_grpc.DocReaderStub(channel)
            await reader.ReadFromFile(
                docreader_pb2.ReadFromFileRequest(file_content=await request.body(), file_name=name, request_id=name)
            )
        return {"status": "accepted"}

    return app


def _attribute_text(span: ReadableSpan) -> str:
    parts = [span.name, *(f"{k}={v!s}" for k, v in (span.attributes or {}).items())]
    for event in span.events:
        parts += [event.name, *(f"{k}={v!s}" for k, v in (event.attributes or {}).items())]
    return " ".join(parts)


def _ancestors(span: ReadableSpan, finished: Sequence[ReadableSpan]) -> list[int]:
    by_id = {s.context.span_id: s for s in finished}
    chain: list[int] = []
    while span.parent is not None and span.parent.span_id in by_id:
        chain.append(span.parent.span_id)
        span = by_id[span.parent.span_id]
    return chain


class TestOneTrace:
    async def test_http_grpc_kafka_share_one_trace_without_secrets(
        self, kafka: EmbeddedTansu, spans: InMemorySpanExporter, log_lines: list[str]
    ) -> None:
        topic = f"trace-{uuid.uuid4().hex[:8]}"
        settings = KafkaSettings(session_timeout_ms=6000)
        await ensure_topics(settings, [topic], bootstrap_servers=kafka.bootstrap_servers)
        producer = await create_producer(settings, kafka.bootstrap_servers)
        server, port, _ = create_server(
            register=lambda s: docreader_pb2_grpc.add_DocReaderServicer_to_server(_Reader(producer, topic), s),
            service_names=["docreader.DocReader"],
            address="127.0.0.1:0",
            endpoints=EndpointSettings(),
        )
        await server.start()
        consumer = create_consumer(settings, [topic], group_id=f"g-{topic}", bootstrap_servers=kafka.bootstrap_servers)
        await consumer.start()
        try:
            transport = httpx.ASGITransport(app=_app(f"127.0.0.1:{port}"))
            async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
                reply = await client.post(
                    "/api/v1/upload/report.txt", content=DOCUMENT_TEXT.encode(), headers={"X-API-Key": API_KEY}
                )
            assert reply.status_code == 200
            record = await consumer.getone()
            with trace.get_tracer(__name__).start_as_current_span(
                f"consume {topic}", context=record_context(record), kind=trace.SpanKind.CONSUMER
            ):
                assert decode_value(record) == {"file_name": "report.txt", "size": len(DOCUMENT_TEXT.encode())}
        finally:
            await consumer.stop()
            await producer.stop()
            await server.stop(0)

        finished = spans.get_finished_spans()
        http = next(s for s in finished if "jisik.request_id" in (s.attributes or {}))
        rpc = next(s for s in finished if s.name == "/docreader.DocReader/ReadFromFile")
        consume = next(s for s in finished if s.name == f"consume {topic}")
        trace_id = http.context.trace_id
        assert rpc.context.trace_id == trace_id and consume.context.trace_id == trace_id
        assert http.name == "POST /api/v1/upload/{name}" and http.kind == trace.SpanKind.SERVER
        assert http.context.span_id in _ancestors(rpc, finished)
        assert consume.parent is not None and consume.parent.span_id == rpc.context.span_id
        assert rpc.kind == trace.SpanKind.SERVER

        ours = [s for s in finished if s.context.trace_id == trace_id]
        for span in ours:
            text = _attribute_text(span)
            assert API_KEY not in text and "Hwangso" not in text, span.name
        assert log_lines, "the request logged nothing at DEBUG; the check below would prove nothing"
        for line in log_lines:
            assert API_KEY not in line and "Hwangso" not in line


class _Streamer(docreader_pb2_grpc.DocReaderServicer):
    async def ReadStream(  # noqa: N802 - generated name
        self, request: docreader_pb2.ReadStreamRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[docreader_pb2.ReadStreamResponse]:
        yield docreader_pb2.ReadStreamResponse()


class TestStreamingCalls:
    async def test_server_streaming_call_joins_the_callers_trace(self, spans: InMemorySpanExporter) -> None:
        server, port, _ = create_server(
            register=lambda s: docreader_pb2_grpc.add_DocReaderServicer_to_server(_Streamer(), s),
            service_names=["docreader.DocReader"],
            address="127.0.0.1:0",
            endpoints=EndpointSettings(),
        )
        await server.start()
        try:
            with trace.get_tracer(__name__).start_as_current_span("caller") as caller:
                async with grpc_channel(f"127.0.0.1:{port}", EndpointSettings()) as channel:
                    frames = docreader_pb2_grpc.DocReaderStub(channel).ReadStream(docreader_pb2.ReadStreamRequest())
                    assert len([frame async for frame in frames]) == 1
        finally:
            await server.stop(0)
        stream = [s for s in spans.get_finished_spans() if s.name == "/docreader.DocReader/ReadStream"]
        assert stream and stream[-1].context.trace_id == caller.get_span_context().trace_id
        assert stream[-1].parent is not None and stream[-1].parent.span_id == caller.get_span_context().span_id
