"""deploy/kubernetes, checked offline: the base and the example overlay render (scripts/kustomize_build.py,
the subset of kustomize they use), every resource passes the Kubernetes 1.37 JSON schemas (strict: no
unknown fields) from the kubernetes-validate package, the KEDA ScaledObjects pass the schema
@kubernetes-models/keda compiles from KEDA's types, and the manifests agree with jisik itself: a workload
per service, probes on the ports the settings give, lag scaling on the ingest stages' real groups and
topics, and the same settings and secrets as docker compose."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import kubernetes_validate
import pytest
import yaml

from ingest.topology import STAGES
from jisik.runtime.services import SERVICES
from jisik.runtime.settings_catalog import env_names
from tests.scripts import load_script

ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = ROOT / "deploy" / "kubernetes"
KEDA_MODULES = ROOT / "web" / "node_modules"
KUBERNETES_VERSION = "1.37"
SECRET_WORDS = ("PASSWORD", "TOKEN", "SECRET", "ACCESS_KEY", "DB_URL")

Resource = dict[str, Any]


@pytest.fixture(scope="module")
def kustomize() -> ModuleType:
    return load_script("kustomize_build")


@pytest.fixture(scope="module")
def rendered(kustomize: ModuleType) -> dict[str, list[Resource]]:
    return {name: kustomize.build(KUBERNETES / path) for name, path in (("base", "base"), ("example", "overlays/example"))}


@pytest.fixture(scope="module")
def example(rendered: dict[str, list[Resource]]) -> list[Resource]:
    return rendered["example"]


def _one(resources: list[Resource], kind: str, name: str) -> Resource:
    found = [r for r in resources if r["kind"] == kind and r["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
    return found[0]


def _config(resources: list[Resource]) -> dict[str, str]:
    return dict(_one(resources, "ConfigMap", "jisik-config")["data"])


def _container(deployment: Resource) -> dict[str, Any]:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return dict(containers[0])


def _deployments(resources: list[Resource]) -> list[Resource]:
    return [r for r in resources if r["kind"] == "Deployment"]


def _served(deployment: Resource) -> str:
    args = _container(deployment)["args"]
    assert args[0] == "serve"
    return str(args[1])


def _named_port(container: dict[str, Any], name: str) -> int:
    ports = {port["name"]: port["containerPort"] for port in container.get("ports", [])}
    return int(ports[name]) if isinstance(name, str) and name in ports else int(name)


@pytest.mark.parametrize("variant", ["base", "example"])
def test_resources_pass_the_kubernetes_schemas(rendered: dict[str, list[Resource]], variant: str) -> None:
    checked = 0
    for resource in rendered[variant]:
        if resource["apiVersion"].startswith("keda.sh/"):
            continue
        kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)
        checked += 1
    assert checked >= 15


def test_schema_check_catches_mistakes(example: list[Resource]) -> None:
    deployment = json.loads(json.dumps(_one(example, "Deployment", "gateway")))
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["paht"] = "/ready"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)
    deployment = json.loads(json.dumps(_one(example, "Deployment", "gateway")))
    deployment["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


def _keda_check(resources: list[Resource]) -> list[str]:
    node = shutil.which("node")
    if node is None or not (KEDA_MODULES / "@kubernetes-models" / "keda").is_dir():
        pytest.skip("node and web/node_modules/@kubernetes-models/keda (npm ci in web/) are needed")
    result = subprocess.run([node, str(ROOT / "tests" / "platform" / "keda_schema.mjs"), str(KEDA_MODULES)],
                            input=json.dumps(resources), capture_output=True, text=True, timeout=60, check=True)
    return result.stdout.splitlines()


def test_scaled_objects_pass_the_keda_schema(example: list[Resource]) -> None:
    scaled = [r for r in example if r["kind"] == "ScaledObject"]
    assert _keda_check(scaled) == [f"ok {r['metadata']['name']}" for r in scaled]
    broken = json.loads(json.dumps(scaled[0]))
    broken["spec"]["maxReplicaCount"] = "six"
    broken["spec"]["triggers"][0]["metadata"]["lagThreshold"] = 20
    [line] = _keda_check([broken])
    assert line.startswith("invalid ") and "/spec/maxReplicaCount" in line and "lagThreshold" in line


def test_every_service_has_a_workload(example: list[Resource]) -> None:
    served = {_served(deployment) for deployment in _deployments(example)}
    expected = {spec.name for spec in SERVICES}
    assert served == expected, (f"services without a Deployment in deploy/kubernetes/base: {sorted(expected - served)}; "
                                f"Deployments of no service: {sorted(served - expected)}")
    stages = {_container(d)["env"][0]["value"] for d in _deployments(example) if _served(d) == "ingest"}
    assert {_container(d)["env"][0]["name"] for d in _deployments(example) if _served(d) == "ingest"} == {
        "JISIK_INGEST_STAGES"}
    assert stages == {stage.name for stage in STAGES}
    migrate = _one(example, "Job", "migrate")
    assert migrate["spec"]["template"]["spec"]["containers"][0]["args"] == ["migrate"]


def test_probes_and_resources(example: list[Resource]) -> None:
    config = _config(example)
    for deployment in _deployments(example):
        service = _served(deployment)
        container = _container(deployment)
        requests = container["resources"]["requests"]
        assert requests["cpu"] and requests["memory"], service
        readiness, liveness = container["readinessProbe"], container["livenessProbe"]
        spec = next(spec for spec in SERVICES if spec.name == service)
        if spec.probe == "grpc":
            port = int(config[f"JISIK_{spec.address_setting.upper()}"].rpartition(":")[2])
            assert readiness["grpc"]["port"] == liveness["grpc"]["port"] == port == _named_port(container, "grpc")
        elif spec.probe == "http":
            assert (readiness["httpGet"]["path"], liveness["httpGet"]["path"]) == ("/ready", "/health")
            assert _named_port(container, readiness["httpGet"]["port"]) == int(config["JISIK_GATEWAY_PORT"])
        else:
            assert readiness["httpGet"]["path"] == liveness["httpGet"]["path"] == "/metrics"
            port = _named_port(container, readiness["httpGet"]["port"])
            assert port == int(config[f"JISIK_METRICS_{service.upper()}_PORT"]), service
        if service != "gateway":
            metrics_port = int(config[f"JISIK_METRICS_{service.upper()}_PORT"])
            assert _named_port(container, "metrics") == metrics_port, service
            annotations = deployment["spec"]["template"]["metadata"]["annotations"]
            assert annotations["prometheus.io/port"] == str(metrics_port)


def test_services_select_their_pods(example: list[Resource]) -> None:
    deployments = {d["metadata"]["name"]: d for d in _deployments(example)}
    for service in (r for r in example if r["kind"] == "Service"):
        name = service["metadata"]["name"]
        selector = service["spec"]["selector"]
        deployment = deployments[name]
        assert selector.items() <= deployment["spec"]["template"]["metadata"]["labels"].items(), name
        assert deployment["spec"]["selector"]["matchLabels"].items() <= selector.items(), name
        for port in service["spec"]["ports"]:
            _named_port(_container(deployment), port["targetPort"])
    assert {s["metadata"]["name"] for s in example if s["kind"] == "Service"} >= {
        spec.name for spec in SERVICES if spec.probe != "process"}


def test_gateway_scales_on_cpu(example: list[Resource]) -> None:
    hpa = _one(example, "HorizontalPodAutoscaler", "gateway")
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "gateway"}
    [metric] = hpa["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu" and metric["resource"]["target"]["type"] == "Utilization"
    assert hpa["spec"]["minReplicas"] >= 2
    budget = _one(example, "PodDisruptionBudget", "gateway")
    assert budget["spec"]["selector"]["matchLabels"] == _one(example, "Deployment", "gateway")["spec"]["selector"][
        "matchLabels"]


def test_ingest_stages_scale_on_their_consumer_lag(example: list[Resource]) -> None:
    config = _config(example)
    for stage in STAGES:
        scaled = _one(example, "ScaledObject", f"ingest-{stage.name}")
        target = _one(example, "Deployment", scaled["spec"]["scaleTargetRef"]["name"])
        assert _container(target)["env"] == [{"name": "JISIK_INGEST_STAGES", "value": stage.name}]
        [trigger] = scaled["spec"]["triggers"]
        assert trigger["type"] == "kafka"
        metadata = trigger["metadata"]
        assert (metadata["consumerGroup"], metadata["topic"]) == (stage.group_id, str(stage.consumes))
        assert metadata["bootstrapServersFromEnv"] in config
        assert int(metadata["lagThreshold"]) > 0


def test_settings_and_secrets_are_those_of_compose(example: list[Resource]) -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    config = _config(example)
    secrets = _one(example, "Secret", "jisik-secrets")["data"]
    in_compose = set(compose["x-jisik"]["environment"])
    assert set(config) | set(secrets) == in_compose, (
        f"set in compose only (add to deploy/kubernetes/base/config.env or overlays/example/secrets.env): "
        f"{sorted(in_compose - set(config) - set(secrets))}; in Kubernetes only: {sorted(set(config) | set(secrets) - in_compose)}")
    assert not set(config) & set(secrets)
    assert set(config) | set(secrets) <= env_names()
    assert not [key for key in config if any(word in key for word in SECRET_WORDS)]
    for resource in example:
        if resource["kind"] in ("Deployment", "Job"):
            sources = resource["spec"]["template"]["spec"]["containers"][0]["envFrom"]
            assert sources == [{"configMapRef": {"name": "jisik-config"}}, {"secretRef": {"name": "jisik-secrets"}}]


def test_overlay_customises_the_base(rendered: dict[str, list[Resource]]) -> None:
    base, example = rendered["base"], rendered["example"]
    assert not [r for r in base if r["kind"] == "Secret"], "secrets come from the overlay, never the base"
    assert all(r["metadata"].get("namespace") == "jisik" for r in example if r["kind"] != "Namespace")
    images = {c["image"] for d in _deployments(example) for c in d["spec"]["template"]["spec"]["containers"]}
    assert images == {"registry.example.com/jisik:0.1.0"}
    assert _config(base)["JISIK_KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert _config(example)["JISIK_KAFKA_BOOTSTRAP_SERVERS"] == "kafka-bootstrap.kafka.svc:9092"
    assert _config(example)["JISIK_GATEWAY_PORT"] == "8080"  # merged, not replaced
    assert _container(_one(example, "Deployment", "model"))["resources"]["requests"]["memory"] == "4Gi"
    assert _one(example, "Deployment", "docreader")["spec"]["replicas"] == 2
    from_base = [r for r in example if r["kind"] not in ("Namespace", "Secret")]  # the overlay adds these two
    assert all(r["metadata"]["labels"]["app.kubernetes.io/part-of"] == "jisik" for r in from_base)
    assert all(d["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/part-of"] == "jisik"
               for d in _deployments(example))


def test_renderer_refuses_what_it_does_not_implement(kustomize: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text(yaml.safe_dump({"resources": [], "commonAnnotations": {"a": "b"}}))
    with pytest.raises(kustomize.Unsupported, match="commonAnnotations"):
        kustomize.build(tmp_path)
    (tmp_path / "kustomization.yaml").write_text(yaml.safe_dump(
        {"configMapGenerator": [{"name": "x", "literals": ["A=1"]}]}))
    with pytest.raises(kustomize.Unsupported, match="disableNameSuffixHash"):
        kustomize.build(tmp_path)
