"""docker-compose.yml: valid for docker-compose, and wired to real jisik settings and services."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from jisik.runtime.services import SERVICES
from jisik.runtime.settings_catalog import env_names

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def _jisik_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: spec for name, spec in compose["services"].items() if spec.get("image", "").startswith("jisik:")}


class TestComposeFile:
    def test_docker_compose_accepts_it(self, tmp_path: Path) -> None:
        binary = shutil.which("docker-compose")
        if binary is None:
            pytest.skip("docker-compose (Debian package docker-compose) is not installed")
        result = subprocess.run(
            [binary, "-f", str(COMPOSE), "--project-directory", str(ROOT), "config", "-q"],
            capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path,
        )
        assert result.returncode == 0, result.stderr

    def test_every_jisik_service_runs_from_the_one_dockerfile(self, compose: dict[str, Any]) -> None:
        jisik = _jisik_services(compose)
        served = {spec["command"][1] for spec in jisik.values() if spec["command"][0] == "serve"}
        assert served == {spec.name for spec in SERVICES}
        for name, spec in jisik.items():
            assert spec["build"] == ".", name
            assert spec["image"] == "jisik:latest", name
        assert (ROOT / "Dockerfile").is_file()
        assert 'ENTRYPOINT ["jisik"]' in (ROOT / "Dockerfile").read_text()

    def test_depends_on_targets_exist_and_use_conditions(self, compose: dict[str, Any]) -> None:
        names = set(compose["services"])
        for name, spec in compose["services"].items():
            for target, rule in (spec.get("depends_on") or {}).items():
                assert target in names, f"{name} depends on unknown {target}"
                assert rule["condition"] in {"service_healthy", "service_started", "service_completed_successfully"}
                if rule["condition"] == "service_healthy":
                    assert "healthcheck" in compose["services"][target], f"{target} has no healthcheck"

    def test_jisik_environment_names_are_real_settings(self, compose: dict[str, Any]) -> None:
        known = env_names()
        for name, spec in _jisik_services(compose).items():
            for variable in spec["environment"]:
                if variable.startswith(("JISIK_", "OTEL_")):
                    assert variable in known, f"{name}: {variable} is not a jisik setting"

    def test_service_addresses_point_at_compose_services(self, compose: dict[str, Any]) -> None:
        env = compose["x-jisik"]["environment"]
        for spec in SERVICES:
            if spec.probe != "grpc":
                continue
            host, _, port = env[f"JISIK_{spec.address_setting.upper()}"].rpartition(":")
            assert host == spec.name and host in compose["services"]
            assert compose["services"][spec.name]["healthcheck"]["test"] == ["CMD", "jisik", "probe", spec.name]
        assert env["JISIK_KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
        assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://jaeger:4317"
        assert "@postgres:5432/" in env["JISIK_DB_URL"]

    def test_infrastructure_is_present(self, compose: dict[str, Any]) -> None:
        services = compose["services"]
        assert "wal_level=logical" in services["postgres"]["command"]
        assert services["postgres"]["image"].startswith("pgvector/pgvector:")
        assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
        assert services["jaeger"]["environment"]["COLLECTOR_OTLP_ENABLED"] == "true"
        assert "./cdc/flink:/opt/jisik/flink:ro" in services["flink-sql-job"]["volumes"]
        assert {"minio", "connect", "flink-jobmanager", "flink-taskmanager"} <= set(services)
