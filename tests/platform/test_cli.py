"""The ``jisik`` command's edge behaviour: one clear line for bad settings, busy ports and missing services."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from jisik.cli import _import_service, main
from jisik.settings import get_settings

RunCli = Callable[..., tuple[int, str]]


def _jisik(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jisik", *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _stack_env(data_dir: Path, **overrides: str) -> dict[str, str]:
    """Every port ``jisik up`` binds, on ports that were free a moment ago: a running ``make up`` on the
    default ports must not change what these tests see."""
    env = {
        "JISIK_DATA_DIR": str(data_dir),
        "JISIK_GATEWAY_PORT": str(_free_port()),
        "JISIK_DB_EMBEDDED_PORT": str(_free_port()),
        "JISIK_KAFKA_EMBEDDED_PORT": str(_free_port()),
        **{f"JISIK_{name}_ADDR": f"127.0.0.1:{_free_port()}" for name in ("DOCREADER", "RETRIEVER", "MODEL")},
    }
    return {**env, **overrides}


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[RunCli]:
    """``jisik ARGS`` in this process with extra environment: returns (exit code, stderr)."""

    def run(*args: str, env: dict[str, str]) -> tuple[int, str]:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        code = main(list(args))
        return code, capsys.readouterr().err

    yield run
    get_settings.cache_clear()


class TestSettingsErrors:
    def test_wrong_database_url_is_one_line_naming_the_setting(self, tmp_path: Path) -> None:
        result = _jisik("up", env=_stack_env(tmp_path, JISIK_DB_URL="mysql://root@db/x"))
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert lines == ["jisik: invalid setting JISIK_DB_URL: JISIK_DB_URL must be a postgresql:// URL"]
        assert not (tmp_path / "pg").exists()

    def test_out_of_range_port_names_the_setting(self, run_cli: RunCli) -> None:
        code, err = run_cli("up", env={"JISIK_GATEWAY_PORT": "70000"})
        assert code == 2
        assert err.strip().startswith("jisik: invalid setting JISIK_GATEWAY_PORT:")
        assert len(err.strip().splitlines()) == 1

    def test_missing_config_file(self, run_cli: RunCli, tmp_path: Path) -> None:
        code, err = run_cli("migrate", env={"JISIK_CONFIG": str(tmp_path / "absent.toml")})
        assert code == 2
        assert "JISIK_CONFIG" in err and "no such config file" in err

    def test_broken_config_file(self, run_cli: RunCli, tmp_path: Path) -> None:
        config = tmp_path / "jisik.toml"
        config.write_text("[gateway\nmax_upload_mb = 5\n")
        code, err = run_cli("migrate", env={"JISIK_CONFIG": str(config)})
        assert code == 2
        assert err.startswith("jisik: JISIK_CONFIG: the config file is not valid TOML")

    def test_alias_error_names_the_jisik_variable(self, run_cli: RunCli) -> None:
        code, err = run_cli("migrate", env={"GRPC_MAX_WORKERS": "lots"})
        assert code == 2
        assert "JISIK_DOCREADER_MAX_WORKERS" in err


class TestUp:
    def test_busy_gateway_port_is_one_line(self, tmp_path: Path) -> None:
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            port = busy.getsockname()[1]
            result = _jisik("up", env=_stack_env(tmp_path, JISIK_GATEWAY_PORT=str(port)))
        assert result.returncode == 1
        assert result.stderr.strip().splitlines()[-1] == (
            f"jisik: up failed: port {port} is already in use: set JISIK_GATEWAY_PORT to a free port"
        )
        assert "Traceback" not in result.stderr

    def test_unreachable_database_is_one_line(self, tmp_path: Path) -> None:
        url = f"postgresql://jisik:Sup3rS3cret@127.0.0.1:{_free_port()}/jisik"
        result = _jisik("up", env=_stack_env(tmp_path, JISIK_DB_URL=url))
        assert result.returncode == 1
        last = result.stderr.strip().splitlines()[-1]
        assert last.startswith("jisik: up failed: cannot reach PostgreSQL (JISIK_DB_URL):")
        assert "Sup3rS3cret" not in result.stderr and "Traceback" not in result.stderr


class TestServe:
    def test_port_in_use_is_one_line(self) -> None:
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            port = busy.getsockname()[1]
            result = _jisik("serve", "docreader", "--port", str(port))
        assert result.returncode == 1
        assert result.stderr.strip() == (
            f"jisik: docreader: port {port} is already in use: set JISIK_DOCREADER_ADDR or pass --port to a free port"
        )

    def test_unknown_service_is_rejected(self, capsys: pytest.CaptureFixture[str]) -> None:
        with pytest.raises(SystemExit) as exit_:
            main(["serve", "mailer"])
        assert exit_.value.code == 2
        assert "invalid choice: 'mailer'" in capsys.readouterr().err

    def test_missing_service_module_is_named(self) -> None:
        from jisik.cli import _CliError

        with pytest.raises(_CliError, match="the search service is not available: module nothere.server"):
            _import_service("search", "nothere.server")

    def test_broken_dependency_inside_a_service_is_not_hidden(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        (tmp_path / "brokensvc.py").write_text("import not_a_real_dependency_xyz\n")
        monkeypatch.syspath_prepend(str(tmp_path))
        with pytest.raises(ModuleNotFoundError, match="not_a_real_dependency_xyz"):
            _import_service("broken", "brokensvc")


@pytest.mark.integration
class TestTenantCreate:
    def test_creates_a_tenant_whose_key_authenticates(self, fresh_database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        import psycopg

        from jisik.db.tenants import hash_api_key
        from jisik.settings import get_settings

        monkeypatch.setenv("JISIK_DB_URL", fresh_database)
        get_settings.cache_clear()
        try:
            assert main(["tenant", "create", "acme"]) == 0
        finally:
            get_settings.cache_clear()
        out = capsys.readouterr().out
        key = out.strip().splitlines()[-1].split(": ", 1)[1]
        assert key.startswith("sk-")
        with psycopg.connect(fresh_database) as conn:
            rows = conn.execute("SELECT name, api_key_hash FROM tenants").fetchall()
        assert rows == [("acme", hash_api_key(key))]
        assert key not in str(rows)


    def test_rotate_key_replaces_the_key_and_revoke_key_leaves_none(
        self, fresh_database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        import psycopg

        from jisik.db.tenants import hash_api_key

        monkeypatch.setenv("JISIK_DB_URL", fresh_database)
        get_settings.cache_clear()
        try:
            assert main(["tenant", "create", "acme"]) == 0
            old_key = capsys.readouterr().out.strip().splitlines()[-1].split(": ", 1)[1]
            with psycopg.connect(fresh_database) as conn:
                tenant_id = str(conn.execute("SELECT id FROM tenants").fetchone()[0])  # type: ignore[index]  # one tenant was just created
            assert main(["tenant", "rotate-key", tenant_id]) == 0
            new_key = capsys.readouterr().out.strip().rsplit(": ", 1)[1]
            with psycopg.connect(fresh_database) as conn:
                stored = conn.execute("SELECT api_key_hash FROM tenants").fetchone()
            assert new_key.startswith("sk-") and new_key != old_key
            assert stored == (hash_api_key(new_key),)
            assert main(["tenant", "revoke-key", tenant_id]) == 0
            assert "revoked" in capsys.readouterr().out
            with psycopg.connect(fresh_database) as conn:
                stored = conn.execute("SELECT api_key_hash FROM tenants").fetchone()
            assert stored not in ((hash_api_key(new_key),), (hash_api_key(old_key),))
            assert main(["tenant", "rotate-key", "00000000-0000-0000-0000-000000000000"]) != 0
        finally:
            get_settings.cache_clear()


@pytest.mark.integration
class TestExitWithParent:
    def test_service_stops_when_its_supervisor_dies(self, tmp_path: Path) -> None:
        import psutil

        from tests.conftest import free_port

        # Starts the service, waits until it serves, then exits as a crashed supervisor would.
        launcher = (
            "import os, subprocess, sys, time\n"
            "from jisik.runtime.probes import grpc_serving\n"
            "child = subprocess.Popen([sys.executable, '-m', 'jisik', 'serve', 'docreader', '--port', sys.argv[1],"
            " '--exit-with-parent', str(os.getpid())], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
            "deadline = time.monotonic() + 90\n"
            "while not grpc_serving('127.0.0.1:' + sys.argv[1]):\n"
            "    assert child.poll() is None and time.monotonic() < deadline, 'docreader did not start'\n"
            "    time.sleep(0.3)\n"
            "print(child.pid, flush=True)\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", launcher, str(free_port())],
            env={**os.environ, "JISIK_DATA_DIR": str(tmp_path)}, capture_output=True, text=True, timeout=120,
            check=True,
        )
        orphan = psutil.Process(int(result.stdout.strip()))
        try:
            orphan.wait(timeout=60)  # the launcher is gone, so the service must stop by itself
        except psutil.TimeoutExpired:
            orphan.kill()
            pytest.fail("the orphaned service kept running")
