"""Render a kustomization the way ``kustomize build DIR`` does, for the subset deploy/kubernetes uses.

There is no kustomize binary here, so the tests render the manifests with this. Supported fields:
``resources`` (files and directories), ``namespace``, ``labels`` (``pairs`` with ``includeTemplates``;
selectors are left alone), ``images`` (``newName``/``newTag``), ``replicas``, ``configMapGenerator`` and
``secretGenerator`` (``envs``/``literals``, ``behavior`` create/merge/replace; only with
``generatorOptions.disableNameSuffixHash: true``) and ``patches`` (JSON 6902 operations, inline or from a
file, with a ``target`` of kind and name). Any other field raises :class:`Unsupported`, so a manifest
never silently renders differently from real kustomize.

    python scripts/kustomize_build.py deploy/kubernetes/overlays/example
"""

from __future__ import annotations

import base64
import copy
import sys
from pathlib import Path
from typing import Any

import jsonpatch
import yaml

__all__ = ["Unsupported", "build"]

Resource = dict[str, Any]

SUPPORTED = {"apiVersion", "kind", "resources", "namespace", "labels", "images", "replicas",
             "configMapGenerator", "secretGenerator", "generatorOptions", "patches"}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
                  "PersistentVolume", "StorageClass", "PriorityClass"}
WORKLOADS_WITH_TEMPLATES = {"Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"}


class Unsupported(ValueError):
    """The kustomization uses something this renderer does not implement."""


def _load_documents(path: Path) -> list[Resource]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def _env_file(path: Path) -> dict[str, str]:
    pairs = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, sep, value = line.partition("=")
            if not sep:
                raise Unsupported(f"{path}: {line!r} is not KEY=VALUE")
            pairs[key.strip()] = value
    return pairs


def _generator_data(root: Path, spec: dict[str, Any]) -> dict[str, str]:
    data: dict[str, str] = {}
    for name in spec.get("envs", []):
        data.update(_env_file(root / name))
    for literal in spec.get("literals", []):
        key, _, value = str(literal).partition("=")
        data[key] = value
    unknown = set(spec) - {"name", "envs", "literals", "behavior"}
    if unknown:
        raise Unsupported(f"generator fields {sorted(unknown)}")
    return data


def _generate(root: Path, kustomization: dict[str, Any], resources: list[Resource]) -> None:
    generators = [("ConfigMap", spec) for spec in kustomization.get("configMapGenerator", [])]
    generators += [("Secret", spec) for spec in kustomization.get("secretGenerator", [])]
    if generators and not kustomization.get("generatorOptions", {}).get("disableNameSuffixHash"):
        raise Unsupported("generators need generatorOptions.disableNameSuffixHash: true (no hash suffixes)")
    for kind, spec in generators:
        data = _generator_data(root, spec)
        existing = next((r for r in resources if r["kind"] == kind and r["metadata"]["name"] == spec["name"]), None)
        behavior = spec.get("behavior", "create")
        if behavior == "create":
            if existing is not None:
                raise Unsupported(f"{kind} {spec['name']} already exists: use behavior merge or replace")
            resource: Resource = {"apiVersion": "v1", "kind": kind, "metadata": {"name": spec["name"]}}
            if kind == "Secret":
                resource["type"] = "Opaque"
            resources.append(resource)
            existing = resource
        elif existing is None:
            raise Unsupported(f"{kind} {spec['name']} to {behavior} does not exist")
        elif behavior == "replace":
            existing.pop("data", None)
        elif behavior != "merge":
            raise Unsupported(f"generator behavior {behavior!r}")
        if kind == "Secret":
            data = {key: base64.b64encode(value.encode()).decode() for key, value in data.items()}
        existing.setdefault("data", {}).update(data)


def _patch(root: Path, kustomization: dict[str, Any], resources: list[Resource]) -> None:
    for spec in kustomization.get("patches", []):
        target = spec.get("target") or {}
        if set(target) - {"kind", "name"} or set(spec) - {"target", "patch", "path"}:
            raise Unsupported(f"patch {spec}: only JSON 6902 patches with a target of kind and name")
        operations = yaml.safe_load(spec["patch"] if "patch" in spec else (root / spec["path"]).read_text())
        if not isinstance(operations, list):
            raise Unsupported("strategic-merge patches are not supported; write JSON 6902 operations")
        matched = [r for r in resources if target.get("kind", r["kind"]) == r["kind"]
                   and target.get("name", r["metadata"]["name"]) == r["metadata"]["name"]]
        if not matched:
            raise Unsupported(f"patch target {target} matches no resource")
        for resource in matched:
            resources[resources.index(resource)] = jsonpatch.apply_patch(resource, operations)


def _label(kustomization: dict[str, Any], resources: list[Resource]) -> None:
    for spec in kustomization.get("labels", []):
        if spec.get("includeSelectors"):
            raise Unsupported("labels with includeSelectors")
        for resource in resources:
            resource["metadata"].setdefault("labels", {}).update(spec["pairs"])
            if spec.get("includeTemplates") and resource["kind"] in WORKLOADS_WITH_TEMPLATES:
                template = resource["spec"]["template"].setdefault("metadata", {})
                template.setdefault("labels", {}).update(spec["pairs"])


def _containers(resource: Resource) -> list[dict[str, Any]]:
    if resource["kind"] not in WORKLOADS_WITH_TEMPLATES:
        return []
    pod = resource["spec"]["template"]["spec"]
    return [*pod.get("initContainers", []), *pod["containers"]]


def _set_images(kustomization: dict[str, Any], resources: list[Resource]) -> None:
    for spec in kustomization.get("images", []):
        for resource in resources:
            for container in _containers(resource):
                name, _, tag = container["image"].partition(":")
                if name == spec["name"]:
                    container["image"] = f"{spec.get('newName', name)}:{spec.get('newTag', tag or 'latest')}"


def _set_replicas(kustomization: dict[str, Any], resources: list[Resource]) -> None:
    for spec in kustomization.get("replicas", []):
        matched = [r for r in resources if r["metadata"]["name"] == spec["name"] and "replicas" in r.get("spec", {})]
        if not matched:
            raise Unsupported(f"replicas: no workload named {spec['name']}")
        for resource in matched:
            resource["spec"]["replicas"] = int(spec["count"])


def build(directory: Path) -> list[Resource]:
    """The resources ``directory/kustomization.yaml`` renders to.

    :raises Unsupported: it uses a field or form this renderer does not implement.
    """
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    unknown = set(kustomization) - SUPPORTED
    if unknown:
        raise Unsupported(f"{directory}: fields {sorted(unknown)} are not supported")
    resources: list[Resource] = []
    for entry in kustomization.get("resources", []):
        path = directory / entry
        resources += build(path) if path.is_dir() else _load_documents(path)
    resources = copy.deepcopy(resources)
    _generate(directory, kustomization, resources)
    _patch(directory, kustomization, resources)
    _label(kustomization, resources)
    _set_images(kustomization, resources)
    _set_replicas(kustomization, resources)
    if "namespace" in kustomization:
        for resource in resources:
            if resource["kind"] not in CLUSTER_SCOPED:
                resource["metadata"]["namespace"] = kustomization["namespace"]
    return resources


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write("usage: kustomize_build.py DIR\n")
        return 2
    sys.stdout.write(yaml.safe_dump_all(build(Path(argv[0])), sort_keys=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
