"""The ``embedded_stack`` session fixture: the whole platform, run by the same supervisor as ``jisik up``.

Every port is free-picked and the data folder is temporary. End-to-end suites (gateway, ingest, web)
take the fixture; when a service fails to start, the tests using it fail with each failing service's
exit code and log tail. ``kill(service)`` / ``start(service)`` SIGKILL and restart one child.
Every child exports its spans over OTLP to a collector in the test process: ``spans(trace_id)``.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from pydantic import SecretStr

from jisik.runtime.ports import ephemeral_range, port_is_free
from jisik.runtime.processes import PidFiles
from jisik.runtime.supervisor import Stack, StackError
from jisik.settings import Settings

__all__ = [
    "CollectedSpan", "EmbeddedStack", "JisikUp", "SpanCollector", "embedded_stack", "running_stack", "stack_settings",
]


def _free_port() -> int:
    """A free port below the ephemeral range: a client retrying while the server restarts cannot be
    handed it as its own source port (see jisik.runtime.ports)."""
    low, _ = ephemeral_range()
    for _ in range(200):
        port = random.randrange(20000, low)
        if port_is_free(port):
            return port
    raise RuntimeError(f"no free port between 20000 and {low}")


@dataclass(frozen=True)
class CollectedSpan:
    service: str
    name: str
    trace_id: str
    span_id: str
    parent_span_id: str
    attributes: dict[str, str]


def _text(value: AnyValue) -> str:
    kind = value.WhichOneof("value")
    return str(getattr(value, kind)) if kind else ""


class SpanCollector(trace_service_pb2_grpc.TraceServiceServicer):
    """A minimal OTLP/gRPC trace receiver that keeps every span it is sent."""

    def __init__(self) -> None:
        self._spans: list[CollectedSpan] = []
        self._lock = threading.Lock()
        self._server = grpc.server(ThreadPoolExecutor(max_workers=2))
        trace_service_pb2_grpc.add_TraceServiceServicer_to_server(self, self._server)
        self.port = self._server.add_insecure_port("127.0.0.1:0")

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def Export(  # noqa: N802 - generated name
        self, request: trace_service_pb2.ExportTraceServiceRequest, context: grpc.ServicerContext
    ) -> trace_service_pb2.ExportTraceServiceResponse:
        received = []
        for resource_spans in request.resource_spans:
            resource = {a.key: _text(a.value) for a in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                received += [
                    CollectedSpan(
                        service=resource.get("service.name", ""),
                        name=span.name,
                        trace_id=span.trace_id.hex(),
                        span_id=span.span_id.hex(),
                        parent_span_id=span.parent_span_id.hex(),
                        attributes={a.key: _text(a.value) for a in span.attributes},
                    )
                    for span in scope_spans.spans
                ]
        with self._lock:
            self._spans += received
        return trace_service_pb2.ExportTraceServiceResponse()

    def spans(self, trace_id: str | None = None) -> list[CollectedSpan]:
        with self._lock:
            return [span for span in self._spans if trace_id is None or span.trace_id == trace_id]

    def start(self) -> None:
        self._server.start()

    def stop(self) -> None:
        self._server.stop(0)


def stack_settings(data_dir: Path, *, ready_timeout_s: float = 120.0, otlp_endpoint: str = "") -> Settings:
    """This process's settings with free ports and every folder under ``data_dir``."""
    base = Settings.load()
    return base.model_copy(
        update={
            "telemetry": base.telemetry.model_copy(update={"exporter_otlp_endpoint": otlp_endpoint}),
            "endpoints": base.endpoints.model_copy(
                update={
                    "bind_host": "127.0.0.1",
                    "gateway_port": _free_port(),
                    "docreader_addr": f"127.0.0.1:{_free_port()}",
                    "retriever_addr": f"127.0.0.1:{_free_port()}",
                    "model_addr": f"127.0.0.1:{_free_port()}",
                }
            ),
            "metrics": base.metrics.model_copy(
                update={f"{name}_port": _free_port() for name in ("docreader", "retriever", "model", "ingest", "cdc", "webhooks", "trainer")}
            ),
            "database": base.database.model_copy(update={"url": "", "embedded_port": _free_port()}),
            "kafka": base.kafka.model_copy(update={"bootstrap_servers": "", "embedded_port": _free_port()}),
            "storage": base.storage.model_copy(update={"backend": "local", "local_dir": data_dir / "objects"}),
            "runtime": base.runtime.model_copy(update={"data_dir": data_dir, "ready_timeout_s": ready_timeout_s}),
        }
    )


class EmbeddedStack:
    """What a test sees of the running stack."""

    def __init__(self, stack: Stack, collector: SpanCollector) -> None:
        self._stack = stack
        self._collector = collector

    @property
    def gateway_url(self) -> str:
        return self._stack.gateway_url

    @property
    def api_key(self) -> str:
        return self._stack.api_key

    @property
    def env(self) -> dict[str, str]:
        """Environment variables that point another process (or Settings) at this stack."""
        return self._stack.env

    @property
    def data_dir(self) -> Path:
        return self._stack.data_dir

    @property
    def settings(self) -> Settings:
        """The settings the stack runs with (real ports, database URL and broker filled in)."""
        settings = self._stack.settings
        return settings.model_copy(
            update={
                "database": settings.database.model_copy(update={"url": self._stack.database_url}),
                "kafka": settings.kafka.model_copy(update={"bootstrap_servers": self._stack.bootstrap_servers}),
                "endpoints": settings.endpoints.model_copy(
                    update={"service_token": SecretStr(self._stack.service_token)}
                ),
            }
        )

    def spans(self, trace_id: str | None = None) -> list[CollectedSpan]:
        """Spans the services exported so far (batched: allow about a second), optionally of one trace."""
        return self._collector.spans(trace_id)

    def log_path(self, service: str) -> Path:
        return self._stack.logs_dir / f"{service}.log"

    def kill(self, service: str) -> None:
        """SIGKILL one service (docreader, retriever, model, ingest, cdc, gateway), as a crash would."""
        self._stack.kill(service)

    def start(self, service: str) -> None:
        """Start a killed service again and wait until it is ready (StackError if it is not)."""
        self._stack.restart(service)


class JisikUp:
    """``jisik up`` as a real process on free ports, with its data under ``root``; the processes it
    runs are found through its pid files."""

    def __init__(self, root: Path, **env: str) -> None:
        self.root = root
        self.settings = stack_settings(root / "var")
        endpoints = self.settings.endpoints
        self.env = {
            **os.environ,
            "JISIK_DB_EMBEDDED_PORT": str(self.settings.database.embedded_port),
            "JISIK_KAFKA_EMBEDDED_PORT": str(self.settings.kafka.embedded_port),
            "JISIK_GATEWAY_PORT": str(endpoints.gateway_port),
            "JISIK_DOCREADER_ADDR": endpoints.docreader_addr,
            "JISIK_RETRIEVER_ADDR": endpoints.retriever_addr,
            "JISIK_MODEL_ADDR": endpoints.model_addr,
            "JISIK_DATA_DIR": str(root / "var"),
            "JISIK_STORAGE_LOCAL_DIR": str(root / "var" / "objects"),
            "JISIK_DB_URL": "",
            "JISIK_KAFKA_BOOTSTRAP_SERVERS": "",
            **env,
        }
        self.process: subprocess.Popen[str] | None = None
        self.ready_line = ""
        self.api_key = ""
        self.admin_email = self.admin_password = ""

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.endpoints.gateway_port}"

    @property
    def database_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.settings.database.embedded_port}/jisik"

    @property
    def headers(self) -> dict[str, str]:
        return {"X-API-Key": self.api_key}

    def start(self) -> None:
        """Run ``jisik up`` and wait for its ready line (it prints it once every service is ready)."""
        with (self.root / "up.log").open("ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "jisik", "up"], env=self.env,
                                            stdout=subprocess.PIPE, stderr=log, text=True)
        assert self.process.stdout is not None
        self.ready_line = ready = self.process.stdout.readline().strip()
        if not ready.startswith("jisik is ready"):
            self.process.wait(30)
            self._reap()
            raise StackError(f"jisik up did not start: {self.log_tail()}")
        sign_in = re.search(r"Sign in: (\S+) with the one-time password (\S+)", self.process.stdout.readline())
        key = re.search(r"API key: (sk-\S+)", self.process.stdout.readline())
        assert key is not None
        self.api_key = key.group(1)
        self.admin_email, self.admin_password = sign_in.groups() if sign_in else ("", "")

    def log_tail(self, characters: int = 3000) -> str:
        return (self.root / "up.log").read_text(errors="replace")[-characters:]

    def pid(self, name: str) -> int | None:
        """Pid of a running child (a service, ``postgres`` or ``broker``), None when it is not running."""
        process = PidFiles(self.root / "var" / "run").live(name)
        return process.pid if process is not None else None

    def kill(self, name: str) -> int:
        """SIGKILL one child, as a crash would; returns its pid."""
        pid = self.pid(name)
        assert pid is not None, f"{name} is not running"
        os.kill(pid, signal.SIGKILL)
        return pid

    def kill_supervisor(self) -> None:
        assert self.process is not None
        self.process.kill()
        self._reap()

    def stop(self) -> int | None:
        """SIGTERM ``jisik up`` and wait; returns its exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(90)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self._reap()

    def _reap(self) -> int:
        """Wait for ``jisik up`` to exit and close the pipe its ready line came through."""
        assert self.process is not None
        code = self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        return code


@contextmanager
def running_stack(**extra_env: str) -> Iterator[EmbeddedStack]:
    """The whole platform on embedded defaults, with ``extra_env`` added to every service's environment."""
    data_dir = Path(tempfile.mkdtemp(prefix="jisik-stack-"))
    collector = SpanCollector()
    collector.start()
    settings = stack_settings(data_dir / "var", otlp_endpoint=collector.endpoint)
    # The OpenTelemetry SDK reads OTEL_BSP_* itself: export batches every 200 ms instead of 5 s.
    # The web app's default Ollama endpoint is allow-listed (that port only), as an operator would.
    env = {
        **os.environ,
        "OTEL_BSP_SCHEDULE_DELAY": "200",
        "JISIK_EGRESS_ALLOW_LIST": '["127.0.0.1:11434"]',
        **extra_env,
    }
    stack = Stack(settings, base_env=env)
    try:
        stack.start()
    except StackError as exc:
        collector.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
        pytest.fail(f"the embedded stack is not ready:\n{exc}", pytrace=False)
    try:
        yield EmbeddedStack(stack, collector)
    finally:
        stack.stop()
        collector.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def embedded_stack() -> Iterator[EmbeddedStack]:
    """The whole platform on embedded defaults, once per test session; transformer and cross-encoder
    fine-tuning stop at a budget of seconds."""
    with running_stack(JISIK_TRAINING_TRANSFORMER_BUDGET_S="3") as stack:
        yield stack
