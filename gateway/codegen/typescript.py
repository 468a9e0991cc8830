"""TypeScript types from the gateway's OpenAPI document: one type per component schema, and for every
operation its path (as a template literal type), query, body and response.

The web app's client (web/src/api/client.ts) only accepts paths this file lists for the method it
uses, so a route the gateway drops or renames fails ``npm run build``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .spec import Operation, operations, schema_name

__all__ = ["render_typescript"]

HEADER = (
    "// Generated from the gateway's OpenAPI document by scripts/openapi_clients.py. Do not edit:\n"
    "// run `.venv/bin/python scripts/openapi_clients.py` after changing a route or a schema.\n"
    "/* eslint-disable */\n"
)
_IDENTIFIER = re.compile(r"^[A-Za-z_$][\w$]*$")


def _key(name: str) -> str:
    return name if _IDENTIFIER.match(name) else json.dumps(name)


def _union(parts: list[str]) -> str:
    unique = list(dict.fromkeys(parts))
    return unique[0] if len(unique) == 1 else " | ".join(f"({part})" if " " in part else part for part in unique)


def ts_type(schema: dict[str, Any] | bool | None, indent: str = "") -> str:
    """The TypeScript type of a JSON schema (OpenAPI 3.1 flavour)."""
    if schema is None or schema is True or schema == {}:
        return "unknown"
    if schema is False:
        return "never"
    assert isinstance(schema, dict)
    if "$ref" in schema:
        return schema_name(schema["$ref"])
    if "const" in schema:
        return json.dumps(schema["const"], ensure_ascii=False)
    if "enum" in schema:
        return _union([json.dumps(value, ensure_ascii=False) for value in schema["enum"]])
    for combinator, joiner in (("anyOf", " | "), ("oneOf", " | "), ("allOf", " & ")):
        if combinator in schema:
            parts = [ts_type(item, indent) for item in schema[combinator]]
            return _union(parts) if joiner == " | " else joiner.join(parts)
    kind = schema.get("type")
    if isinstance(kind, list):
        return _union([ts_type({**schema, "type": item}, indent) for item in kind])
    if kind == "string":
        return "Blob" if schema.get("format") == "binary" or "contentMediaType" in schema else "string"
    if kind in ("integer", "number"):
        return "number"
    if kind == "boolean":
        return "boolean"
    if kind == "null":
        return "null"
    if kind == "array":
        item = ts_type(schema.get("items"), indent)
        return f"Array<{item}>"
    if kind == "object" or "properties" in schema:
        return _object(schema, indent)
    return "unknown"


def _object(schema: dict[str, Any], indent: str) -> str:
    properties: dict[str, Any] = schema.get("properties") or {}
    extra = schema.get("additionalProperties")
    if not properties:
        value = "unknown" if extra in (None, True) or extra == {} else ts_type(extra, indent)
        return f"Record<string, {value}>"
    required = set(schema.get("required") or [])
    inner = indent + "  "
    lines = [f"{inner}{_key(name)}{'' if name in required else '?'}: {ts_type(prop, inner)};"
             for name, prop in properties.items()]
    if extra not in (None, False):
        lines.append(f"{inner}[key: string]: unknown;")
    return "{\n" + "\n".join(lines) + f"\n{indent}}}"


def _template(path: str) -> str:
    """``/knowledge/{knowledge_id}/fields`` -> ``/knowledge/${string}/fields`` (a template literal type)."""
    return "`" + re.sub(r"\{[^}]+\}", "${string}", path) + "`"


def _operation(operation: Operation) -> str:
    inner = "    "
    path = "{ " + " ".join(f"{_key(name)}: {ts_type(schema)};" for name, schema in operation.path_params) + " }"
    query = "{ " + " ".join(f"{_key(name)}{'' if required else '?'}: {ts_type(schema)};"
                           for name, schema, required in operation.query_params) + " }"
    if operation.body_kind == "multipart":
        body = "FormData"
    elif operation.body_kind == "json":
        body = ts_type(operation.body, inner)
    else:
        body = "never"
    response = {"json": ts_type(operation.response, inner), "sse": "ReadableStream<Uint8Array>",
                "binary": "Blob", "": "unknown"}[operation.response_kind]
    return (
        f"  {json.dumps(f'{operation.method} {operation.path}')}: {{\n"
        f"{inner}path: {path.replace('{  }', '{}')};\n"
        f"{inner}query: {query.replace('{  }', '{}')};\n"
        f"{inner}body: {body};\n"
        f"{inner}response: {response};\n"
        "  };"
    )


def render_typescript(document: dict[str, Any]) -> str:
    """The whole generated module."""
    parts = [HEADER]
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        description = schema.get("description")
        if description:
            parts.append("/** " + " ".join(description.split()).replace("*/", "* /") + " */")
        parts.append(f"export type {schema_name(name)} = {ts_type(schema)};\n")
    ops = list(operations(document))
    parts.append("/** Every /api/v1 operation, keyed by `METHOD /path` (the path without /api/v1). */")
    parts.append("export interface Operations {\n" + "\n".join(_operation(op) for op in ops) + "\n}\n")
    methods = sorted({op.method for op in ops})
    parts.append("/** The concrete paths each method accepts (a `${string}` stands for one path parameter). */")
    routes = []
    for method in methods:
        templates = sorted({_template(op.path) for op in ops if op.method == method})
        routes.append(f"  {method}:\n" + "\n".join(f"    | {template}" for template in templates) + ";")
    parts.append("export interface ApiRoutes {\n" + "\n".join(routes) + "\n}\n")
    parts.append("export type ApiMethod = keyof ApiRoutes;")
    return "\n".join(parts) + "\n"
