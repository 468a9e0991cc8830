"""The embedded stack supervisor: real PostgreSQL, real broker, real child processes.

The children here are small stand-in programs (a worker that runs until stopped, one that crashes)
launched through the supervisor's command seam, so these tests do not depend on the other services.
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from jisik.runtime.services import ServiceSpec
from jisik.runtime.supervisor import Stack, StackError
from jisik.runtime.tansu import EmbeddedTansu
from tests.stack import stack_settings

pytestmark = pytest.mark.integration

# ingest runs until SIGTERM; cdc crashes at once with exit code 7.
STAND_INS = {
    "ingest": "import signal, sys, time\n"
    "signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))\n"
    "while True: time.sleep(1)\n",
    "cdc": "import sys\nprint('stand-in crashed on purpose', file=sys.stderr)\nsys.exit(7)\n",
}


def _stand_in(spec: ServiceSpec) -> list[str]:
    return [sys.executable, "-c", STAND_INS[spec.name]]


@pytest.fixture
def data_root() -> Iterator[Path]:
    """A folder outside pytest's tmp tree: pytest re-locks that tree to 0700, which the unprivileged
    PostgreSQL user could then no longer enter."""
    root = Path(tempfile.mkdtemp(prefix="jisik-stack-test-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _stack(root: Path, names: list[str], *, database_url: str = "", bootstrap_servers: str = "") -> Stack:
    """A stack of stand-ins; embedded PostgreSQL/broker unless a URL / bootstrap servers are given."""
    settings = stack_settings(root / "var", ready_timeout_s=30)
    settings = settings.model_copy(
        update={
            "database": settings.database.model_copy(update={"url": database_url}),
            "kafka": settings.kafka.model_copy(update={"bootstrap_servers": bootstrap_servers}),
        }
    )
    return Stack(settings, base_env=os.environ, services=names, command=_stand_in)


class TestStack:
    def test_first_start_creates_key_and_second_start_reuses_data(self, data_root: Path) -> None:
        stack = _stack(data_root, ["ingest"])
        stack.start()
        try:
            key = stack.api_key
            key_file = stack.key_file
            assert key.startswith("sk-")
            assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
            with psycopg.connect(stack.database_url) as conn:
                conn.execute("CREATE TABLE keepme (v text)")
                conn.execute("INSERT INTO keepme VALUES ('still here')")
            assert stack.exited() is None
        finally:
            stack.stop()
        again = _stack(data_root, ["ingest"])
        again.start()
        try:
            assert again.api_key == key
            with psycopg.connect(again.database_url) as conn:
                assert conn.execute("SELECT v FROM keepme").fetchall() == [("still here",)]
                assert conn.execute("SELECT count(*) FROM tenants").fetchone() == (1,)
        finally:
            again.stop()

    def test_crashing_service_is_named_with_code_and_log(
        self, data_root: Path, fresh_database: str, kafka: EmbeddedTansu
    ) -> None:
        stack = _stack(data_root, ["ingest", "cdc"], database_url=fresh_database,
                       bootstrap_servers=kafka.bootstrap_servers)
        with pytest.raises(StackError) as failure:
            stack.start()
        message = str(failure.value)
        assert "cdc exited with code 7" in message
        assert "stand-in crashed on purpose" in message
        assert "ingest" not in message

    def test_kill_and_restart_one_service(self, data_root: Path, fresh_database: str, kafka: EmbeddedTansu) -> None:
        stack = _stack(data_root, ["ingest"], database_url=fresh_database, bootstrap_servers=kafka.bootstrap_servers)
        stack.start()
        try:
            first = stack.pids()
            stack.kill("ingest")
            stack.restart("ingest")
            assert stack.exited() is None
            assert set(stack.pids()) != set(first)
        finally:
            stack.stop()
        assert stack.pids() == []

    def test_port_in_use_names_the_setting(self, data_root: Path) -> None:
        stack = _stack(data_root, ["ingest"])
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", stack.settings.database.embedded_port))
            busy.listen()
            with pytest.raises(StackError, match="JISIK_DB_EMBEDDED_PORT"):
                stack.start()


class TestExternalInfrastructure:
    def test_configured_database_and_broker_replace_the_embedded_ones(
        self, data_root: Path, fresh_database: str, kafka: EmbeddedTansu
    ) -> None:
        stack = _stack(data_root, ["ingest"], database_url=fresh_database, bootstrap_servers=kafka.bootstrap_servers)
        stack.start()
        try:
            assert not (data_root / "var" / "pg").exists()
            assert stack.env["JISIK_DB_URL"] == fresh_database
            assert stack.env["JISIK_KAFKA_BOOTSTRAP_SERVERS"] == kafka.bootstrap_servers
            assert len(stack.pids()) == 1  # the one service; no embedded PostgreSQL or broker
            with psycopg.connect(fresh_database) as conn:
                assert conn.execute("SELECT name FROM tenants").fetchall() == [("default",)]
        finally:
            stack.stop()

    def test_unreachable_database_is_one_message_naming_the_setting(self, data_root: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            closed = probe.getsockname()[1]
        url = f"postgresql://jisik:Sup3rS3cret@127.0.0.1:{closed}/jisik"
        stack = _stack(data_root, ["ingest"], database_url=url, bootstrap_servers="127.0.0.1:1")
        with pytest.raises(StackError, match=r"cannot reach PostgreSQL \(JISIK_DB_URL\)") as failure:
            stack.start()
        assert "Sup3rS3cret" not in str(failure.value)
        assert stack.pids() == []

    def test_unreachable_broker_names_the_setting(self, data_root: Path, fresh_database: str) -> None:
        stack = _stack(data_root, ["ingest"], database_url=fresh_database, bootstrap_servers="127.0.0.1:1")
        with pytest.raises(StackError, match="JISIK_KAFKA_BOOTSTRAP_SERVERS"):
            stack.start()
