"""Self-healing supervision with real processes: real PostgreSQL, real broker, stand-in services.

Every kill here is a real ``kill -9``; the supervisor must restart what died, give up with a clear
message on a crash loop, take every child with it when it dies itself, and clear what an earlier,
killed run left behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import psycopg
import pytest

from jisik.runtime.ports import ephemeral_range
from jisik.runtime.processes import PidFiles
from jisik.runtime.services import ServiceSpec
from jisik.runtime.supervisor import Stack, StackError
from jisik.settings import Settings
from tests.stack import stack_settings

pytestmark = pytest.mark.integration

RUNS_UNTIL_STOPPED = (
    "import signal, sys, time\n"
    "signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))\n"
    "while True: time.sleep(1)\n"
)
# Lives past the start-up settle time, then crashes.
CRASHES_LATER = "import sys, time\ntime.sleep(2.5)\nprint('stand-in crashed on purpose', flush=True)\nsys.exit(7)\n"


@pytest.fixture
def data_root() -> Iterator[Path]:
    """Outside pytest's tmp tree, which the unprivileged PostgreSQL user could not enter."""
    root = Path(tempfile.mkdtemp(prefix="jisik-supervision-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _stack(root: Path, programs: dict[str, str], **runtime: object) -> Stack:
    settings = stack_settings(root / "var", ready_timeout_s=60)
    settings = settings.model_copy(
        update={"runtime": settings.runtime.model_copy(update={"restart_backoff_s": 0.1, **runtime})}
    )

    def command(spec: ServiceSpec) -> list[str]:
        return [sys.executable, "-c", programs[spec.name]]

    return Stack(settings, base_env=os.environ, services=list(programs), command=command)


def _heal_until(stack: Stack, condition: Callable[[], bool], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "the stack did not heal in time"
        stack.heal()
        time.sleep(0.2)


def _pid_of(stack: Stack, name: str) -> int:
    process = PidFiles(stack.data_dir / "run").live(name)
    assert process is not None, f"{name} is not running"
    return process.pid


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _restarted(stack: Stack, name: str, old_pid: int) -> bool:
    """``name`` runs again under a new pid."""
    process = PidFiles(stack.data_dir / "run").live(name)
    return process is not None and process.pid != old_pid and _alive(process.pid)


class TestRestart:
    def test_killed_service_comes_back(self, data_root: Path) -> None:
        stack = _stack(data_root, {"ingest": RUNS_UNTIL_STOPPED})
        stack.start()
        try:
            first = _pid_of(stack, "ingest")
            os.kill(first, signal.SIGKILL)
            _heal_until(stack, lambda: _restarted(stack, "ingest", first))
        finally:
            stack.stop()

    def test_helpers_of_a_killed_service_do_not_outlive_it(self, data_root: Path) -> None:
        helper_file = data_root / "helper.pid"
        program = (
            "import subprocess, sys, time\n"
            "helper = subprocess.Popen([sys.executable, '-c', 'import time\\nwhile True: time.sleep(1)'])\n"
            f"open({str(helper_file)!r}, 'w').write(str(helper.pid))\n"
            "while True: time.sleep(1)\n"
        )
        stack = _stack(data_root, {"ingest": program})
        stack.start()
        try:
            first = _pid_of(stack, "ingest")
            helper = psutil.Process(int(helper_file.read_text()))
            os.kill(first, signal.SIGKILL)
            _heal_until(stack, lambda: _restarted(stack, "ingest", first))
            helper.wait(10)  # raises TimeoutExpired while the helper lives on
        finally:
            stack.stop()

    def test_killed_postgres_and_broker_come_back_and_the_pipeline_restarts(self, data_root: Path) -> None:
        stack = _stack(data_root, {"ingest": RUNS_UNTIL_STOPPED})
        stack.start()
        try:
            ingest = _pid_of(stack, "ingest")
            killed = {name: _pid_of(stack, name) for name in ("postgres", "broker")}
            for pid in killed.values():
                os.kill(pid, signal.SIGKILL)
            _heal_until(stack, lambda: all(_restarted(stack, name, pid) for name, pid in killed.items()))
            with psycopg.connect(stack.database_url, connect_timeout=10) as conn:
                assert conn.execute("SELECT name FROM tenants").fetchall() == [("default",)]
            with socket.create_connection(stack.bootstrap_servers.split(":"), timeout=5):  # type: ignore[arg-type]  # a [host, port] list: create_connection unpacks it and accepts a port string
                pass
            assert not _alive(ingest) and _alive(_pid_of(stack, "ingest"))
        finally:
            stack.stop()

    def test_after_postgres_comes_back_ingest_keeps_running_and_cdc_restarts(self, data_root: Path) -> None:
        """Ingest waits a database outage out with its documents in hand (a restart would cost a
        consumer-group rejoin); cdc's replication connection needs a fresh start."""
        stack = _stack(data_root, {"ingest": RUNS_UNTIL_STOPPED, "cdc": RUNS_UNTIL_STOPPED})
        stack.start()
        try:
            ingest, cdc, postgres = (_pid_of(stack, name) for name in ("ingest", "cdc", "postgres"))
            os.kill(postgres, signal.SIGKILL)
            _heal_until(stack, lambda: _restarted(stack, "postgres", postgres) and _restarted(stack, "cdc", cdc))
            with psycopg.connect(stack.database_url, connect_timeout=10) as conn:
                assert conn.execute("SELECT name FROM tenants").fetchall() == [("default",)]
            assert _pid_of(stack, "ingest") == ingest and _alive(ingest)
        finally:
            stack.stop()

    def test_a_dead_broker_stops_ingest_before_the_new_broker_starts(self, data_root: Path) -> None:
        """Ingest's producer must not write what it held for the old broker into the new one."""
        stack = _stack(data_root, {"ingest": RUNS_UNTIL_STOPPED}, restart_backoff_s=3.0)
        stack.start()
        try:
            ingest, broker = _pid_of(stack, "ingest"), _pid_of(stack, "broker")
            os.kill(broker, signal.SIGKILL)
            _heal_until(stack, lambda: not _alive(ingest))
            assert not _restarted(stack, "broker", broker)  # still waiting out its backoff
            _heal_until(stack, lambda: _restarted(stack, "broker", broker) and _restarted(stack, "ingest", ingest))
        finally:
            stack.stop()

    def test_crash_loop_ends_with_a_clear_error(self, data_root: Path) -> None:
        stack = _stack(data_root, {"ingest": RUNS_UNTIL_STOPPED, "cdc": CRASHES_LATER}, crash_loop_limit=3)
        stack.start()
        try:
            with pytest.raises(StackError) as failure:
                deadline = time.monotonic() + 90
                while time.monotonic() < deadline:
                    stack.heal()
                    time.sleep(0.2)
            message = str(failure.value)
            assert "cdc crashed 3 times within 120s" in message
            assert "JISIK_CRASH_LOOP_LIMIT" in message and "stand-in crashed on purpose" in message
            assert "ingest" not in message
        finally:
            stack.stop()


SUPERVISOR_SCRIPT = textwrap.dedent(
    """
    import json, os, sys, time
    from pathlib import Path
    from jisik.runtime.supervisor import Stack
    from jisik.settings import Settings

    settings = Settings.model_validate_json(Path(sys.argv[1]).read_text())
    program = "import time\\nwhile True: time.sleep(1)\\n"
    stack = Stack(settings, base_env=os.environ, services=["ingest", "cdc"],
                  command=lambda spec: [sys.executable, "-c", program])
    stack.start()
    print(json.dumps(stack.pids()), flush=True)
    while True:
        time.sleep(1)
    """
)


class TestPorts:
    def test_default_ports_lie_below_the_ephemeral_range(self) -> None:
        """A client retrying against a port inside the range can be given it as its own source port
        and connect to itself, holding the port its server needs to restart."""
        settings = Settings.load()
        low, _ = ephemeral_range()
        endpoints = settings.endpoints
        ports = [endpoints.gateway_port, settings.database.embedded_port, settings.kafka.embedded_port] + [
            int(address.rpartition(":")[2])
            for address in (endpoints.docreader_addr, endpoints.retriever_addr, endpoints.model_addr)
        ]
        assert all(port < low for port in ports), ports


class TestSupervisorDeath:
    def test_kill_9_of_the_supervisor_leaves_no_child_and_the_next_start_works(self, data_root: Path) -> None:
        settings = stack_settings(data_root / "var", ready_timeout_s=60)
        settings_file = data_root / "settings.json"
        settings_file.write_text(settings.model_dump_json())
        with subprocess.Popen([sys.executable, "-c", SUPERVISOR_SCRIPT, str(settings_file)],
                              stdout=subprocess.PIPE, text=True) as supervisor:
            try:
                assert supervisor.stdout is not None
                pids = json.loads(supervisor.stdout.readline())
                assert len(pids) == 4  # two services, PostgreSQL, the broker
                tree = [psutil.Process(pid) for pid in pids]
                tree += [child for process in tree for child in process.children(recursive=True)]
                supervisor.kill()
                supervisor.wait()
                _, alive = psutil.wait_procs(tree, timeout=30)
                assert [process.cmdline() for process in alive] == []
            finally:
                if supervisor.poll() is None:
                    supervisor.kill()
        again = _stack(data_root, {"ingest": RUNS_UNTIL_STOPPED})
        again.start()
        try:
            with psycopg.connect(again.database_url, connect_timeout=10) as conn:
                assert conn.execute("SELECT count(*) FROM tenants").fetchone() == (1,)
        finally:
            again.stop()


STALE_LISTENER = (
    "import socket, sys, time\n"
    "server = socket.socket()\n"
    "server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
    "server.bind(('127.0.0.1', int(sys.argv[1])))\n"
    "server.listen()\n"
    "print('listening', flush=True)\n"
    "while True: time.sleep(1)\n"
)


class TestStaleProcesses:
    @contextlib.contextmanager
    def _listener(self, port: int) -> Iterator[subprocess.Popen[str]]:
        """A process outside any supervisor holding ``port``, as one left by a killed run would; killed
        (if still alive) and reaped on exit, its pipe closed."""
        with subprocess.Popen([sys.executable, "-c", STALE_LISTENER, str(port)], stdout=subprocess.PIPE,
                              text=True, start_new_session=True) as process:
            try:
                assert process.stdout is not None and process.stdout.readline().strip() == "listening"
                yield process
            finally:
                if process.poll() is None:
                    process.kill()

    def test_a_start_clears_its_own_stale_processes(self, data_root: Path) -> None:
        stack = _stack(data_root, {"ingest": RUNS_UNTIL_STOPPED})
        with self._listener(stack.settings.kafka.embedded_port) as stale:
            PidFiles(stack.data_dir / "run").record("broker", stale.pid)
            stack.start()
            stack.stop()
            stale.wait(10)  # raises TimeoutExpired if the stale process is still alive

    def test_a_data_folder_in_use_by_a_live_supervisor_is_refused(self, data_root: Path) -> None:
        stack = _stack(data_root, {"ingest": RUNS_UNTIL_STOPPED})
        other = subprocess.Popen([sys.executable, "-c", RUNS_UNTIL_STOPPED])
        PidFiles(stack.data_dir / "run").record("supervisor", other.pid)
        try:
            with pytest.raises(StackError, match=f"another jisik \\(pid {other.pid}\\) is running"):
                stack.start()
            assert other.poll() is None
        finally:
            other.kill()
            other.wait()

    def test_a_process_that_is_not_its_own_is_left_alone(self, data_root: Path) -> None:
        stack = _stack(data_root, {"ingest": RUNS_UNTIL_STOPPED})
        with self._listener(stack.settings.kafka.embedded_port) as stranger:
            pid_files = PidFiles(stack.data_dir / "run")
            pid_files.record("broker", stranger.pid)
            entry = json.loads((pid_files.folder / "broker.pid").read_text())
            entry["cmdline"] = ["tansu", "broker"]  # another program had the recorded pid; the pid was reused
            (pid_files.folder / "broker.pid").write_text(json.dumps(entry))
            with pytest.raises(StackError, match="JISIK_KAFKA_EMBEDDED_PORT"):
                stack.start()
            assert stranger.poll() is None
