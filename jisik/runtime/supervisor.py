"""The embedded stack behind ``jisik up`` and the ``embedded_stack`` test fixture.

Starts PostgreSQL and the Tansu broker unless external ones are configured, migrates, makes sure a
bootstrap tenant exists, then runs every service as a child process ``python -m jisik serve <svc>``
stage by stage, waiting for each stage to be ready. Process management is blocking on purpose: it is
driven from the CLI's main thread and from synchronous pytest fixtures, and does no request I/O.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import httpx
from grpc_health.v1 import health_pb2, health_pb2_grpc

from jisik.health import database_status, kafka_status
from jisik.settings import Settings

from .bootstrap import ensure_bootstrap_key, migrate, run_coroutine
from .postgres import EmbeddedPostgres, EmbeddedPostgresError, port_is_free
from .services import SERVICES, ServiceSpec, service
from .settings_catalog import env_name
from .tansu import EmbeddedBrokerError, EmbeddedTansu

__all__ = ["ChildExit", "Stack", "StackError", "serve_command"]

logger = logging.getLogger(__name__)

WORKER_SETTLE_S = 2.0
EXTERNAL_TIMEOUT_S = 5.0
LOCAL_HOSTS = {"127.0.0.1", "localhost", "0.0.0.0", "::", "[::]", ""}


class StackError(RuntimeError):
    """The stack could not start; the message is meant for the user, one service per line."""


@dataclass(frozen=True)
class ChildExit:
    """A child service that ended without being asked to."""

    name: str
    code: int
    log_tail: str

    def describe(self) -> str:
        return f"{self.name} exited with code {self.code}" + (f"; last log lines:\n{self.log_tail}" if self.log_tail else "")


@dataclass
class _Child:
    spec: ServiceSpec
    process: subprocess.Popen[bytes]
    log_path: Path
    started: float = field(default_factory=time.monotonic)


def _tail(path: Path, lines: int = 15) -> str:
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 8192))
            text = handle.read().decode(errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def grpc_serving(address: str, timeout_s: float = 1.0) -> bool:
    """True when ``address`` answers grpc.health.v1 Check with SERVING."""
    try:
        with grpc.insecure_channel(address) as channel:
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=timeout_s)
    except grpc.RpcError:
        return False
    return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)


def http_ready(url: str, timeout_s: float = 2.0) -> bool:
    """True when GET ``url`` answers 200."""
    try:
        return httpx.get(url, timeout=timeout_s).status_code == 200
    except httpx.HTTPError:
        return False


def serve_command(spec: ServiceSpec) -> list[str]:
    """The command line that runs one service: ``python -m jisik serve <name>``, ending with its supervisor."""
    return [sys.executable, "-m", "jisik", "serve", spec.name, "--exit-with-parent", str(os.getpid())]


class Stack:
    """One embedded jisik deployment: infrastructure plus every service as a child process."""

    def __init__(
        self,
        settings: Settings,
        *,
        base_env: Mapping[str, str],
        services: Sequence[str] | None = None,
        command: Callable[[ServiceSpec], list[str]] = serve_command,
    ) -> None:
        self.settings = settings
        self._command = command
        self.data_dir = settings.runtime.data_dir.resolve()
        self.specs = [service(name) for name in services] if services is not None else list(SERVICES)
        self._base_env = dict(base_env)
        self._postgres: EmbeddedPostgres | None = None
        self._broker: EmbeddedTansu | None = None
        self._children: dict[str, _Child] = {}
        self.database_url = settings.database.url
        self.bootstrap_servers = settings.kafka.bootstrap_servers
        self.api_key = ""
        # The children authenticate to each other with the operator's token, or one made for this run.
        self.service_token = settings.endpoints.service_token.get_secret_value() or secrets.token_urlsafe(32)

    # -- addresses -------------------------------------------------------------------------------

    @property
    def gateway_url(self) -> str:
        endpoints = self.settings.endpoints
        host = "127.0.0.1" if endpoints.bind_host in LOCAL_HOSTS else endpoints.bind_host
        return f"http://{host}:{endpoints.gateway_port}"

    @property
    def key_file(self) -> Path:
        return self.data_dir / "bootstrap_api_key"

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def env(self) -> dict[str, str]:
        """Environment variables that point a jisik process at this stack."""
        endpoints = self.settings.endpoints
        otlp = self.settings.telemetry.exporter_otlp_endpoint
        return {
            **({"OTEL_EXPORTER_OTLP_ENDPOINT": otlp} if otlp else {}),
            "JISIK_DB_URL": self.database_url,
            "JISIK_KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers,
            "JISIK_BIND_HOST": endpoints.bind_host,
            "JISIK_GATEWAY_PORT": str(endpoints.gateway_port),
            "JISIK_DOCREADER_ADDR": endpoints.docreader_addr,
            "JISIK_RETRIEVER_ADDR": endpoints.retriever_addr,
            "JISIK_MODEL_ADDR": endpoints.model_addr,
            "JISIK_SERVICE_TOKEN": self.service_token,
            "JISIK_DATA_DIR": str(self.data_dir),
            "JISIK_STORAGE_LOCAL_DIR": str(self.settings.storage.local_dir.resolve()),
        }

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        """Bring everything up and wait until ready; on failure stop what started and raise StackError."""
        self._check_ports()
        began = time.monotonic()
        try:
            self._start_infrastructure()
            logger.info("database and broker ready after %.1fs", time.monotonic() - began)
            deadline = time.monotonic() + self.settings.runtime.ready_timeout_s
            stages = sorted({spec.stage for spec in self.specs})
            for number, stage in enumerate(stages):
                names = [spec.name for spec in self.specs if spec.stage == stage]
                for name in names:
                    self._spawn(service(name))
                failures = self._wait_ready(names, deadline)
                if failures:
                    later = [spec.name for spec in self.specs if spec.stage in stages[number + 1:]]
                    note = f"\nnot started: {', '.join(later)}" if later else ""
                    raise StackError("\n".join(failures) + note)
        except BaseException:
            self.stop()
            raise

    def _check_ports(self) -> None:
        wanted: list[tuple[int, str]] = []
        if not self.settings.database.url:
            wanted.append((self.settings.database.embedded_port, "JISIK_DB_EMBEDDED_PORT"))
        if not self.settings.kafka.bootstrap_servers:
            wanted.append((self.settings.kafka.embedded_port, "JISIK_KAFKA_EMBEDDED_PORT"))
        for spec in self.specs:
            address = spec.address(self.settings)
            if not address:
                continue
            host, _, port_text = address.rpartition(":")
            if host in LOCAL_HOSTS or host == self.settings.endpoints.bind_host:
                setting = "JISIK_GATEWAY_PORT" if spec.probe == "http" else env_name(
                    type(self.settings.endpoints), spec.address_setting
                )
                wanted.append((int(port_text), setting))
        bind_host = self.settings.endpoints.bind_host
        for port, setting in wanted:
            if not port_is_free(port, "127.0.0.1" if bind_host in LOCAL_HOSTS else bind_host):
                raise StackError(f"port {port} is already in use: set {setting} to a free port")

    def _start_infrastructure(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.logs_dir.mkdir(exist_ok=True)
        try:
            if not self.database_url:
                self._postgres = EmbeddedPostgres(self.data_dir / "pg", self.settings.database.embedded_port)
                logger.info("starting embedded PostgreSQL on port %d", self._postgres.port)
                self._postgres.start()
                self.database_url = self._postgres.url
            if not self.bootstrap_servers:
                self._broker = EmbeddedTansu(self.settings.kafka.embedded_port, self.logs_dir / "tansu.log")
                logger.info("starting embedded Kafka broker on port %d", self._broker.port)
                self._broker.start()
                self.bootstrap_servers = self._broker.bootstrap_servers
        except (EmbeddedPostgresError, EmbeddedBrokerError) as exc:
            raise StackError(str(exc)) from exc
        self._check_external()
        migrate(self.database_url)
        self.api_key = ensure_bootstrap_key(self.database_url, self.key_file)

    def _check_external(self) -> None:
        """Fail early, naming the setting, when a configured PostgreSQL or broker does not answer."""
        current = self.settings.model_copy(
            update={
                "database": self.settings.database.model_copy(update={"url": self.database_url}),
                "kafka": self.settings.kafka.model_copy(update={"bootstrap_servers": self.bootstrap_servers}),
            }
        )
        if self._postgres is None:
            status = run_coroutine(database_status(current, timeout_s=EXTERNAL_TIMEOUT_S))
            if not status.ok:
                raise StackError(f"cannot reach PostgreSQL (JISIK_DB_URL): {status.reason}")
        if self._broker is None:
            status = run_coroutine(kafka_status(current, timeout_s=EXTERNAL_TIMEOUT_S))
            if not status.ok:
                raise StackError(
                    f"cannot reach the Kafka broker at {self.bootstrap_servers} (JISIK_KAFKA_BOOTSTRAP_SERVERS): "
                    f"{status.reason}"
                )

    def _spawn(self, spec: ServiceSpec) -> None:
        log_path = self.logs_dir / f"{spec.name}.log"
        env = {**self._base_env, **self.env, "PYTHONUNBUFFERED": "1"}
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                self._command(spec),
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
            )
        logger.info("started %s (pid %d, log %s)", spec.name, process.pid, log_path)
        self._children[spec.name] = _Child(spec, process, log_path)

    def _is_ready(self, child: _Child) -> bool:
        if child.spec.probe == "grpc":
            return grpc_serving(child.spec.address(self.settings))
        if child.spec.probe == "http":
            return http_ready(f"{self.gateway_url}/ready")
        return time.monotonic() - child.started >= WORKER_SETTLE_S

    def _wait_ready(self, names: Sequence[str], deadline: float) -> list[str]:
        """Wait until every named child is ready; returns one failure line per child that is not."""
        pending, failures = list(names), []
        while pending:
            for name in list(pending):
                child = self._children[name]
                code = child.process.poll()
                if code is not None:
                    failures.append(ChildExit(name, code, _tail(child.log_path)).describe())
                    pending.remove(name)
                elif self._is_ready(child):
                    logger.info("%s ready after %.1fs", name, time.monotonic() - child.started)
                    pending.remove(name)
            if pending and time.monotonic() > deadline:
                timeout = self.settings.runtime.ready_timeout_s
                failures += [
                    f"{name} was not ready within {timeout:.0f}s (JISIK_READY_TIMEOUT_S); last log lines:\n"
                    f"{_tail(self._children[name].log_path)}"
                    for name in pending
                ]
                break
            if pending:
                time.sleep(0.2)
        return failures

    def exited(self) -> ChildExit | None:
        """The first child that ended on its own, if any."""
        for name, child in self._children.items():
            code = child.process.poll()
            if code is not None:
                return ChildExit(name, code, _tail(child.log_path))
        return None

    def kill(self, name: str) -> None:
        """SIGKILL one service, as a crash would."""
        child = self._children.pop(name)
        if child.process.poll() is None:
            child.process.kill()
        child.process.wait()

    def restart(self, name: str) -> None:
        """Start one service again (after :meth:`kill`) and wait until it is ready."""
        if name in self._children:
            self.kill(name)
        self._spawn(service(name))
        failures = self._wait_ready([name], time.monotonic() + self.settings.runtime.ready_timeout_s)
        if failures:
            self._children.pop(name, None)
            raise StackError("\n".join(failures))

    def stop(self, grace_s: float = 10.0) -> None:
        """SIGTERM the children (last started first), SIGKILL stragglers, then the broker and PostgreSQL."""
        children = list(self._children.values())[::-1]
        self._children.clear()
        for child in children:
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        for child in children:
            try:
                child.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.warning("%s did not stop within %.0fs; killing it", child.spec.name, grace_s)
                child.process.kill()
                child.process.wait()
        if self._broker is not None:
            self._broker.stop()
            self._broker = None
        if self._postgres is not None:
            self._postgres.stop()
            self._postgres = None

    def pids(self) -> list[int]:
        """Process ids of the children and embedded servers (for resource measurements)."""
        pids = [child.process.pid for child in self._children.values()]
        for server in (self._postgres, self._broker):
            pid = getattr(server, "pid", None)
            if pid:
                pids.append(pid)
        return pids
