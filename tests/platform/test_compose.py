"""docker-compose.yml: valid for docker-compose, and wired to real jisik settings and services."""

from __future__ import annotations

import shutil
import subprocess
import tomllib
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

    def test_the_image_holds_every_package_and_the_trainer_extra(self) -> None:
        dockerfile = (ROOT / "Dockerfile").read_text()
        project = tomllib.loads((ROOT / "pyproject.toml").read_text())
        packages = [name.rstrip("*") for name in project["tool"]["setuptools"]["packages"]["find"]["include"]]
        missing = [name for name in packages if f"COPY {name}/ {name}/" not in dockerfile]
        assert missing == [], f"the Dockerfile does not copy {missing}"
        assert "'.[ocr,train]'" in dockerfile  # the trainer service fits with torch and scikit-learn

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


MONITORING = ROOT / "docs" / "monitoring"


def _bind_mounts(spec: dict[str, Any]) -> dict[str, Path]:
    """``{container path: host path}`` of a service's ``./``-relative bind mounts."""
    mounts = {}
    for volume in spec.get("volumes", []):
        source, target, *_ = volume.split(":")
        if source.startswith("./"):
            mounts[target] = ROOT / source
    return mounts


def _host_path(spec: dict[str, Any], container_path: str) -> Path:
    """Where ``container_path`` comes from on the host, through the service's bind mounts."""
    for target, source in sorted(_bind_mounts(spec).items(), key=lambda item: -len(item[0])):
        if container_path == target or container_path.startswith(target + "/"):
            return source / container_path.removeprefix(target).lstrip("/")
    raise AssertionError(f"{container_path} is not mounted from the repository")


class TestComposeMonitoring:
    """Checked offline (docker-compose config and no image pulls): every bind mount exists in the
    repository, named volumes are declared, published ports do not collide, Prometheus scrapes each
    jisik service's metrics port and loads the alert rules, Grafana finds its data source and the
    generated dashboard where the mounts put them."""

    def test_bind_mounts_exist_and_named_volumes_are_declared(self, compose: dict[str, Any]) -> None:
        declared = set(compose["volumes"])
        for name, spec in compose["services"].items():
            for volume in spec.get("volumes", []):
                source = volume.split(":")[0]
                if source.startswith("./"):
                    assert (ROOT / source).exists(), f"{name}: {source} does not exist"
                else:
                    assert source in declared, f"{name}: volume {source} is not declared"

    def test_published_ports_are_distinct(self, compose: dict[str, Any]) -> None:
        published = [port.split(":")[0] for spec in compose["services"].values() for port in spec.get("ports", [])]
        assert len(published) == len(set(published)), published

    def test_prometheus_scrapes_every_jisik_process(self, compose: dict[str, Any]) -> None:
        prometheus = compose["services"]["prometheus"]
        config_path = _host_path(prometheus, "/etc/prometheus/prometheus.yml")
        config = yaml.safe_load(config_path.read_text())
        targets = {target for job in config["scrape_configs"] for static in job["static_configs"]
                   for target in static["targets"]}
        env = compose["x-jisik"]["environment"]
        expected = {f"gateway:{env['JISIK_GATEWAY_PORT']}"} | {
            f"{spec.name}:{env[f'JISIK_METRICS_{spec.name.upper()}_PORT']}" for spec in SERVICES if spec.name != "gateway"
        }
        assert targets == expected
        for rules in config["rule_files"]:
            assert (config_path.parent / rules).is_file(), rules
        assert "--config.file=/etc/prometheus/prometheus.yml" in prometheus["command"]

    def test_grafana_provisions_the_generated_dashboard(self, compose: dict[str, Any]) -> None:
        grafana = compose["services"]["grafana"]
        assert grafana["depends_on"]["prometheus"]["condition"] == "service_healthy"
        provisioning = _host_path(grafana, "/etc/grafana/provisioning")
        source = yaml.safe_load((provisioning / "datasources" / "prometheus.yml").read_text())["datasources"][0]
        assert source["url"] == "http://prometheus:9090"
        assert "9090:9090" in compose["services"]["prometheus"]["ports"]
        provider = yaml.safe_load((provisioning / "dashboards" / "jisik.yml").read_text())["providers"][0]
        dashboards = _host_path(grafana, provider["options"]["path"])
        assert dashboards == MONITORING / "grafana" / "dashboards"
        assert (dashboards / "jisik.json").is_file()
        home = grafana["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
        assert _host_path(grafana, home) == dashboards / "jisik.json"
