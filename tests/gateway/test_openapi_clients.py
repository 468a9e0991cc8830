"""The SDKs against the gateway's OpenAPI document: a test that fails on drift.

- web/src/api/openapi.ts and sdk/python/jisik_sdk/models.py are exactly what the generator makes of
  the document the gateway serves now (fix: ``.venv/bin/python scripts/openapi_clients.py``);
- every route the Python SDK calls exists with that method, and the model it reads ``data`` into is
  the one the route's response declares;
- the web client's paths are checked by TypeScript itself (``npm run build``, tests/web/test_web_unit.py):
  client.ts only accepts the paths openapi.ts lists per method.
"""

from __future__ import annotations

import ast
import copy
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from gateway.codegen import gateway_openapi, operations, schema_name
from gateway.codegen.python_models import render_python_models
from gateway.codegen.typescript import render_typescript
from tests.scripts import load_script

ROOT = Path(__file__).resolve().parents[2]
SDK_CLIENT = ROOT / "sdk" / "python" / "jisik_sdk" / "client.py"
REGENERATE = "the gateway's API changed: run .venv/bin/python scripts/openapi_clients.py and commit the result"
# Client helpers and the envelope their route must answer with ({} = the model's name).
_RESPONSES = {"_one": "Envelope_{}_", "_many": "Envelope_list_{}__", "_page": "Paged_{}_"}
_CALLS = {*_RESPONSES, "_nothing", "_events"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return gateway_openapi()


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return load_script("openapi_clients")


def sdk_calls(source: str) -> list[tuple[str, str, str, str | None]]:
    """(helper, method, route, model name) of every ``self._one("GET", "/x", Model, ...)``-style call."""
    calls = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _CALLS):
            continue
        method, route = (arg.value if isinstance(arg, ast.Constant) else None for arg in node.args[:2])
        assert isinstance(method, str) and isinstance(route, str), f"line {node.lineno}: method and route must be literals"
        model = node.args[2].id if node.func.attr in _RESPONSES and isinstance(node.args[2], ast.Name) else None
        calls.append((node.func.attr, method, route, model))
    return calls


def _response_ref(document: dict[str, Any], method: str, route: str) -> str | None:
    for operation in operations(document):
        if (operation.method, operation.path) == (method, route):
            ref = (operation.response or {}).get("$ref")
            return schema_name(ref) if ref else ""
    return None


class TestGeneratedFiles:
    def test_generated_clients_match_the_gateway(self, script: ModuleType) -> None:
        for path, text in script.rendered().items():
            assert path.is_file() and path.read_text() == text, f"{path.relative_to(ROOT)} is stale: {REGENERATE}"

    def test_a_changed_route_changes_the_generated_files(self, document: dict[str, Any]) -> None:
        changed = copy.deepcopy(document)
        changed["paths"]["/api/v1/audit-trail"] = changed["paths"].pop("/api/v1/audit")
        changed["components"]["schemas"]["AuditEventPublic"]["properties"]["who"] = {"type": "string"}
        typescript = render_typescript(changed)
        assert "`/audit-trail`" in typescript and "`/audit`" not in typescript
        assert typescript != render_typescript(document)
        assert "    who: str | None = None" in render_python_models(changed)


class TestPythonSdk:
    def test_every_call_names_a_route_of_the_gateway_and_its_response_model(self, document: dict[str, Any]) -> None:
        calls = sdk_calls(SDK_CLIENT.read_text())
        assert len(calls) >= 20
        for helper, method, route, model in calls:
            ref = _response_ref(document, method, route)
            assert ref is not None, f"the SDK calls {method} {route}, which the gateway does not serve ({REGENERATE})"
            if helper in _RESPONSES:
                assert ref == _RESPONSES[helper].format(model), f"{method} {route} answers {ref}, the SDK reads {model}"

    def test_the_check_catches_a_removed_route(self, document: dict[str, Any]) -> None:
        source = 'def f(self):\n    return self._one("GET", "/knowledge-bases/{id}/gone", KnowledgeBasePublic)\n'
        [(_, method, route, _)] = sdk_calls(source)
        assert _response_ref(document, method, route) is None
        wrong = 'def f(self):\n    return self._one("GET", "/audit", KnowledgeBasePublic)\n'
        [(helper, method, route, model)] = sdk_calls(wrong)
        assert _response_ref(document, method, route) != _RESPONSES[helper].format(model)
