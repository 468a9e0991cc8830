"""The embedded stack behind ``jisik up`` and the ``embedded_stack`` test fixture.

Starts PostgreSQL and the Tansu broker unless external ones are configured, migrates, makes sure a
bootstrap tenant exists, then runs every service as a child process ``python -m jisik serve <svc>``
stage by stage, waiting for each stage to be ready. :meth:`Stack.supervise` then keeps it running:
a crashed child (service, broker or PostgreSQL) is restarted with backoff until it crashes too often.
Process management is blocking on purpose and must stay on one long-lived thread: children get a
parent-death signal tied to the thread that started them.
"""

from __future__ import annotations

import logging
import os
import secrets
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from jisik.health import database_status, kafka_status
from jisik.settings import MetricsSettings, Settings

from .bootstrap import (
    FirstAdmin,
    ensure_bootstrap_key,
    ensure_encryption_key,
    ensure_first_admin,
    migrate,
    run_coroutine,
)
from .healing import CrashHistory, CrashLoop, RestartPolicy
from .infrastructure import BROKER, POSTGRES, EmbeddedInfrastructure, InfrastructureError
from .ports import in_ephemeral_range, port_is_free
from .probes import grpc_serving, http_ready
from .processes import ChildProcess, PidFiles
from .services import SERVICES, ServiceSpec, service
from .settings_catalog import env_name

__all__ = ["ChildExit", "Stack", "StackError", "serve_command"]

logger = logging.getLogger(__name__)

WORKER_SETTLE_S = 2.0
EXTERNAL_TIMEOUT_S = 5.0
SUPERVISE_TICK_S = 0.5
LOCAL_HOSTS = {"127.0.0.1", "localhost", "0.0.0.0", "::", "[::]", ""}
SUPERVISOR = "supervisor"
# Services stopped when an embedded server they hold state in dies, and started again once it is back.
# The broker keeps events in memory, so everything using it starts over (ingest re-drives its in-flight
# documents at start); stopping them at once keeps a producer from writing what it held for the old
# broker into the new one while its replacement starts. PostgreSQL keeps its data: ingest waits a
# database outage out with its documents in hand, only the replication slot and job leases start over.
DEPENDENTS = {BROKER: ("ingest", "cdc", "trainer"), POSTGRES: ("cdc", "trainer")}


class StackError(RuntimeError):
    """The stack could not start or keep running; the message is meant for the user, one service per line."""


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
    process: ChildProcess
    started: float = field(default_factory=time.monotonic)

    @property
    def log_path(self) -> Path:
        return self.process.log_path


def _tail(path: Path, lines: int = 15) -> str:
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 8192))
            text = handle.read().decode(errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


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
        self._pid_files = PidFiles(self.data_dir / "run")
        self._infrastructure = EmbeddedInfrastructure(settings, self.data_dir, self.logs_dir, self._pid_files)
        self._children: dict[str, _Child] = {}
        runtime = settings.runtime
        self._policy = RestartPolicy(runtime.restart_backoff_s, runtime.restart_backoff_max_s,
                                     runtime.crash_loop_limit, runtime.crash_loop_window_s)
        self._crashes: dict[str, CrashHistory] = {}
        self._restart_due: dict[str, float] = {}
        self._held: dict[str, list[str]] = {}  # embedded server -> dependents stopped until it is back
        infrastructure = self._infrastructure
        self.database_url = infrastructure.postgres.url if infrastructure.postgres else settings.database.url
        self.bootstrap_servers = (
            infrastructure.broker.bootstrap_servers if infrastructure.broker else settings.kafka.bootstrap_servers
        )
        self.api_key = ""
        self.first_admin: FirstAdmin | None = None
        # The children authenticate to each other with the operator's token, or one made for this run.
        self.service_token = settings.endpoints.service_token.get_secret_value() or secrets.token_urlsafe(32)
        # The key sealing stored secrets: the operator's, or the one kept in the data folder (made at start).
        self.encryption_key = settings.endpoints.encryption_key.get_secret_value()

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
    def encryption_key_file(self) -> Path:
        return self.data_dir / "encryption_key"

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
            **({"JISIK_ENCRYPTION_KEY": self.encryption_key} if self.encryption_key else {}),
            "JISIK_DATA_DIR": str(self.data_dir),
            "JISIK_STORAGE_LOCAL_DIR": str(self.settings.storage.local_dir.resolve()),
            **{
                env_name(MetricsSettings, field): str(port)
                for field, port in self.settings.metrics.model_dump().items()
                if field.endswith("_port") and port
            },
        }

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        """Bring everything up and wait until ready; on failure stop what started and raise StackError."""
        self._claim_data_dir()
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

    def _claim_data_dir(self) -> None:
        """Refuse a data folder another live supervisor uses; clear what a killed one left running."""
        other = self._pid_files.live(SUPERVISOR)
        if other is not None and other.pid != os.getpid():
            raise StackError(
                f"another jisik (pid {other.pid}) is running on {self.data_dir}: stop it or set JISIK_DATA_DIR"
            )
        cleared = self._pid_files.clear_stale(keep=[SUPERVISOR])
        if cleared:
            logger.warning("cleared processes left by an earlier run: %s", ", ".join(cleared))
        self._pid_files.record(SUPERVISOR, os.getpid())

    def _check_ports(self) -> None:
        wanted: list[tuple[int, str]] = []
        if self._infrastructure.postgres is not None:
            wanted.append((self.settings.database.embedded_port, "JISIK_DB_EMBEDDED_PORT"))
        if self._infrastructure.broker is not None:
            wanted.append((self.settings.kafka.embedded_port, "JISIK_KAFKA_EMBEDDED_PORT"))
        for spec in self.specs:
            endpoint = spec.endpoint(self.settings)
            if endpoint is None:
                continue
            if endpoint.host in LOCAL_HOSTS or endpoint.host == self.settings.endpoints.bind_host:
                setting = "JISIK_GATEWAY_PORT" if spec.probe == "http" else env_name(
                    type(self.settings.endpoints), spec.address_setting
                )
                wanted.append((endpoint.port, setting))
        bind_host = self.settings.endpoints.bind_host
        for port, setting in wanted:
            if not port_is_free(port, "127.0.0.1" if bind_host in LOCAL_HOSTS else bind_host):
                self._pid_files.forget(SUPERVISOR)
                raise StackError(f"port {port} is already in use: set {setting} to a free port")
            if in_ephemeral_range(port):
                logger.warning("port %d (%s) lies in the ephemeral port range: a client may take it while its "
                               "server restarts; choose a port below the range", port, setting)

    def _start_infrastructure(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.logs_dir.mkdir(exist_ok=True)
        try:
            for name in self._infrastructure.names:
                self._infrastructure.start(name)
        except InfrastructureError as exc:
            raise StackError(str(exc)) from exc
        self._check_external()
        if not self.encryption_key:
            self.encryption_key = ensure_encryption_key(self.encryption_key_file)
        migrate(self.database_url, encryption_key=self.encryption_key)
        self.api_key = ensure_bootstrap_key(self.database_url, self.key_file)
        self.first_admin = ensure_first_admin(self.database_url, self.api_key, self.settings.accounts)

    def _check_external(self) -> None:
        """Fail early, naming the setting, when a configured PostgreSQL or broker does not answer."""
        current = self.settings.model_copy(
            update={
                "database": self.settings.database.model_copy(update={"url": self.database_url}),
                "kafka": self.settings.kafka.model_copy(update={"bootstrap_servers": self.bootstrap_servers}),
            }
        )
        if self._infrastructure.postgres is None:
            status = run_coroutine(database_status(current, timeout_s=EXTERNAL_TIMEOUT_S))
            if not status.ok:
                raise StackError(f"cannot reach PostgreSQL (JISIK_DB_URL): {status.reason}")
        if self._infrastructure.broker is None:
            status = run_coroutine(kafka_status(current, timeout_s=EXTERNAL_TIMEOUT_S))
            if not status.ok:
                raise StackError(
                    f"cannot reach the Kafka broker at {self.bootstrap_servers} (JISIK_KAFKA_BOOTSTRAP_SERVERS): "
                    f"{status.reason}"
                )

    def _spawn(self, spec: ServiceSpec) -> None:
        # The one ingest process of this stack owns every in-flight document: it resumes them at start.
        env = {**self._base_env, **self.env, "PYTHONUNBUFFERED": "1", "JISIK_INGEST_REDRIVE_START_STALE_S": "0"}
        process = ChildProcess(spec.name, self._command(spec), self.logs_dir / f"{spec.name}.log", env=env)
        process.start()
        assert process.pid is not None
        self._pid_files.record(spec.name, process.pid)
        logger.info("started %s (pid %d, log %s)", spec.name, process.pid, process.log_path)
        self._children[spec.name] = _Child(spec, process)

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
                code = child.process.exit_code()
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

    # -- healing ---------------------------------------------------------------------------------

    def supervise(self) -> NoReturn:
        """Keep the stack running until interrupted: restart crashed children with backoff.

        :raises StackError: a child crashed ``crash_loop_limit`` times within ``crash_loop_window_s``.
        """
        while True:
            self.heal()
            time.sleep(SUPERVISE_TICK_S)

    def heal(self) -> None:
        """One supervision pass: notice crashed children and restart those whose backoff has passed."""
        now = time.monotonic()
        crashed: list[tuple[str, _Child | None]] = [
            (name, None) for name in self._infrastructure.down() if name not in self._restart_due
        ]
        crashed += [
            (name, child) for name, child in self._children.items()
            if name not in self._restart_due and child.process.exit_code() is not None
        ]
        for name, child in crashed:
            if child is not None and self._children.get(name) is not child:
                continue  # held meanwhile: it starts again with the server it depends on
            try:
                delay = self._crashes.setdefault(name, CrashHistory(name, self._policy)).record(now)
            except CrashLoop as exc:
                tail = f"; last log lines:\n{_tail(child.log_path)}" if child is not None else ""
                raise StackError(f"{exc}{tail}") from None
            if child is not None:
                child.process.clear_group()
            else:
                self._hold_dependents(name)
            what = f"exited with code {child.process.exit_code()}" if child is not None else "is down"
            logger.warning("%s %s; restarting it in %.1fs", name, what, delay)
            self._restart_due[name] = now + delay
        for name, due in sorted(self._restart_due.items(), key=lambda item: item[1]):
            if due <= now:
                del self._restart_due[name]
                self._restart(name)

    def _restart(self, name: str) -> None:
        if name not in (POSTGRES, BROKER):
            self._spawn(service(name))
            return
        try:
            self._infrastructure.start(name)
        except InfrastructureError as exc:
            logger.warning("restarting %s failed: %s", name, exc)
            return  # still down: the next pass counts it as another crash
        held = self._held.pop(name, [])
        if held:
            logger.info("%s is back; starting %s again", name, ", ".join(held))
        for dependent in held:
            self._spawn(service(dependent))

    def _hold_dependents(self, name: str) -> None:
        """Stop the services that depend on the embedded server ``name``, which just died."""
        for dependent in DEPENDENTS[name]:
            child = self._children.pop(dependent, None)
            self._restart_due.pop(dependent, None)
            if child is None:  # not run by this stack, or already held for the other server
                continue
            child.process.kill()
            self._pid_files.forget(dependent)
            self._held.setdefault(name, []).append(dependent)

    # -- control ---------------------------------------------------------------------------------

    def exited(self) -> ChildExit | None:
        """The first child that ended on its own, if any."""
        for name, child in self._children.items():
            code = child.process.exit_code()
            if code is not None:
                return ChildExit(name, code, _tail(child.log_path))
        return None

    def kill(self, name: str) -> None:
        """SIGKILL one service, as a crash would; it stays down until :meth:`restart`."""
        self._children.pop(name).process.kill()
        self._pid_files.forget(name)

    def kill_infrastructure(self, name: str) -> None:
        """SIGKILL the embedded ``postgres`` or ``broker``, as a crash would."""
        server = self._infrastructure.postgres if name == POSTGRES else self._infrastructure.broker
        assert server is not None, f"no embedded {name}"
        server.kill()

    def restart(self, name: str) -> None:
        """Start one service again (after :meth:`kill`) and wait until it is ready."""
        if name in self._children:
            self.kill(name)
        self._spawn(service(name))
        failures = self._wait_ready([name], time.monotonic() + self.settings.runtime.ready_timeout_s)
        if failures:
            self._children.pop(name, None)
            raise StackError("\n".join(failures))

    def stop(self) -> None:
        """Stop every child at once (SIGTERM, SIGKILL after the grace time), then the broker and PostgreSQL."""
        children = list(self._children.values())[::-1]
        self._children.clear()
        self._restart_due.clear()
        self._held.clear()
        for child in children:
            child.process.signal(child.process.stop_signal)
        grace_s = self.settings.runtime.stop_grace_s
        deadline = time.monotonic() + grace_s
        for child in children:
            if not child.process.wait(deadline - time.monotonic()):
                logger.warning("%s did not stop within %.0fs; killing it", child.spec.name, grace_s)
                child.process.kill()
            self._pid_files.forget(child.spec.name)
        self._infrastructure.stop()
        self._pid_files.forget(SUPERVISOR)

    def pid(self, name: str) -> int | None:
        """Process id of one running service (None when it is not running)."""
        child = self._children.get(name)
        return child.process.pid if child else None

    def pids(self) -> list[int]:
        """Process ids of the children and embedded servers (for resource measurements)."""
        children = [child.process.pid for child in self._children.values() if child.process.pid]
        return children + self._infrastructure.pids()
