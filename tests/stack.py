"""The ``embedded_stack`` session fixture: the whole platform, run by the same supervisor as ``jisik up``.

Every port is free-picked and the data folder is temporary. End-to-end suites (gateway, ingest, web)
take the fixture; when a service fails to start, the tests using it fail with each failing service's
exit code and log tail. ``kill(service)`` / ``start(service)`` SIGKILL and restart one child.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from jisik.runtime.supervisor import Stack, StackError
from jisik.settings import Settings

__all__ = ["EmbeddedStack", "embedded_stack", "stack_settings"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stack_settings(data_dir: Path, *, ready_timeout_s: float = 120.0) -> Settings:
    """This process's settings with free ports and every folder under ``data_dir``."""
    base = Settings.load()
    return base.model_copy(
        update={
            "endpoints": base.endpoints.model_copy(
                update={
                    "bind_host": "127.0.0.1",
                    "gateway_port": _free_port(),
                    "docreader_addr": f"127.0.0.1:{_free_port()}",
                    "retriever_addr": f"127.0.0.1:{_free_port()}",
                    "model_addr": f"127.0.0.1:{_free_port()}",
                }
            ),
            "database": base.database.model_copy(update={"url": "", "embedded_port": _free_port()}),
            "kafka": base.kafka.model_copy(update={"bootstrap_servers": "", "embedded_port": _free_port()}),
            "storage": base.storage.model_copy(update={"backend": "local", "local_dir": data_dir / "objects"}),
            "runtime": base.runtime.model_copy(update={"data_dir": data_dir, "ready_timeout_s": ready_timeout_s}),
        }
    )


class EmbeddedStack:
    """What a test sees of the running stack."""

    def __init__(self, stack: Stack) -> None:
        self._stack = stack

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
            }
        )

    def log_path(self, service: str) -> Path:
        return self._stack.logs_dir / f"{service}.log"

    def kill(self, service: str) -> None:
        """SIGKILL one service (docreader, retriever, model, ingest, cdc, gateway), as a crash would."""
        self._stack.kill(service)

    def start(self, service: str) -> None:
        """Start a killed service again and wait until it is ready (StackError if it is not)."""
        self._stack.restart(service)


@pytest.fixture(scope="session")
def embedded_stack() -> Iterator[EmbeddedStack]:
    """The whole platform on embedded defaults, once per test session."""
    data_dir = Path(tempfile.mkdtemp(prefix="jisik-stack-"))
    stack = Stack(stack_settings(data_dir / "var"), base_env=os.environ)
    try:
        stack.start()
    except StackError as exc:
        shutil.rmtree(data_dir, ignore_errors=True)
        pytest.fail(f"the embedded stack is not ready:\n{exc}", pytrace=False)
    try:
        yield EmbeddedStack(stack)
    finally:
        stack.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
