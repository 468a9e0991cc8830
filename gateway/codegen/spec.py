"""Reading the gateway's OpenAPI document: its schemas and its /api/v1 operations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["API_PREFIX", "Operation", "gateway_openapi", "operations", "schema_name"]

API_PREFIX = "/api/v1"
_METHODS = ("get", "post", "put", "patch", "delete")


def gateway_openapi() -> dict[str, Any]:
    """The OpenAPI document the gateway serves at /openapi.json (built without opening any resource)."""
    from gateway import create_app
    from jisik.settings import Settings

    document: dict[str, Any] = create_app(Settings.load()).openapi()
    return document


def schema_name(ref_or_name: str) -> str:
    """An identifier for a component schema (``#/components/schemas/ChunkingConfig-Input`` ->
    ``ChunkingConfig_Input``), valid in TypeScript and Python."""
    return re.sub(r"\W", "_", ref_or_name.rsplit("/", 1)[-1])


@dataclass(frozen=True, slots=True)
class Operation:
    method: str  # upper case
    path: str  # without the /api/v1 prefix, with {name} placeholders
    path_params: tuple[tuple[str, dict[str, Any]], ...]
    query_params: tuple[tuple[str, dict[str, Any], bool], ...]  # name, schema, required
    body: dict[str, Any] | None  # the JSON schema of the body
    body_kind: str  # "json", "multipart" or "" (no body)
    response: dict[str, Any] | None  # the JSON schema of the success response
    response_kind: str  # "json", "sse", "binary" or ""


def _success(responses: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    for status in sorted(responses):
        if not status.startswith("2"):
            continue
        content = responses[status].get("content") or {}
        if "application/json" in content:
            return content["application/json"].get("schema"), "json"
        if "text/event-stream" in content:
            return None, "sse"
        if content:
            return None, "binary"
        return None, ""
    return None, ""


def operations(document: dict[str, Any]) -> Iterator[Operation]:
    """Every operation under /api/v1, in the document's order."""
    for full_path, item in document.get("paths", {}).items():
        if not full_path.startswith(API_PREFIX + "/") and full_path != API_PREFIX:
            continue
        for method in _METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            parameters = [*item.get("parameters", []), *operation.get("parameters", [])]
            body_content = (operation.get("requestBody") or {}).get("content") or {}
            body, body_kind = None, ""
            if "application/json" in body_content:
                body, body_kind = body_content["application/json"].get("schema"), "json"
            elif "multipart/form-data" in body_content:
                body, body_kind = body_content["multipart/form-data"].get("schema"), "multipart"
            response, response_kind = _success(operation.get("responses", {}))
            yield Operation(
                method=method.upper(),
                path=full_path[len(API_PREFIX):],
                path_params=tuple((p["name"], p.get("schema", {})) for p in parameters if p["in"] == "path"),
                query_params=tuple((p["name"], p.get("schema", {}), bool(p.get("required")))
                                   for p in parameters if p["in"] == "query"),
                body=body,
                body_kind=body_kind,
                response=response,
                response_kind=response_kind,
            )
