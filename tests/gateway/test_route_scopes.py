"""Every route of the app declares the scope it needs, and every role gets exactly what the roles
table promises: 401 without credentials, 403 without the scope, through to the route with it.

The walk covers routes added later too. A route that fails here needs one of:
``dependencies=[require_scope("read" | "write" | "review" | "admin")]`` (from gateway.deps), or
``dependencies=[PUBLIC]`` when it authenticates some other way (health, sign-in, the admin token).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from accounts_testkit import Member, add_member
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from gateway_testkit import RunningGateway

from gateway.deps import PUBLIC, ScopeRequirement
from jisik.accounts.roles import ROLE_SCOPES, ROLES, Role

pytestmark = pytest.mark.integration

_DECLARE = (
    "declare the scope the route needs: dependencies=[require_scope('read'|'write'|'review'|'admin')] "
    "(gateway.deps), or dependencies=[PUBLIC] when it authenticates by other means"
)
_STATIC = {"/openapi.json", "/docs/assets"}  # served files, no handler of ours


def _declarations(dependant: Any) -> list[str]:
    found: list[str] = []
    for dependency in dependant.dependencies:
        if isinstance(dependency.call, ScopeRequirement):
            found.append(dependency.call.scope)
        elif dependency.call is PUBLIC.dependency:
            found.append("public")
        found.extend(_declarations(dependency))
    return found


def declared_routes(app: FastAPI) -> dict[tuple[str, str], str]:
    """``(method, path) -> scope or 'public'`` for every route; fails naming undeclared routes."""
    declared: dict[tuple[str, str], str] = {}
    missing: list[str] = []
    for route in iter_route_contexts(app.routes):
        dependant = getattr(route, "dependant", None)
        if dependant is None:
            assert route.path in _STATIC, f"{route.path}: not an API route and not a known static mount"
            continue
        kinds = sorted(set(_declarations(dependant)))
        for method in sorted(route.methods or ()):
            if len(kinds) == 1:
                declared[(method, str(route.path))] = kinds[0]
            else:
                missing.append(f"{method} {route.path} declares {kinds or 'nothing'}")
    assert not missing, "routes without exactly one declaration:\n  " + "\n  ".join(missing) + "\n" + _DECLARE
    return declared


def test_every_route_declares_one_scope(gateway: RunningGateway) -> None:
    declared = declared_routes(gateway.app)
    assert declared[("POST", "/api/v1/auth/sign-in")] == "public"
    assert declared[("DELETE", "/api/v1/knowledge/{knowledge_id}")] == "write"
    assert declared[("POST", "/api/v1/knowledge/{knowledge_id}/review")] == "review"
    assert declared[("POST", "/api/v1/invitations")] == "admin"


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), path)


async def _call(client: httpx.AsyncClient, method: str, path: str, headers: dict[str, str]) -> int:
    body: dict[str, Any] | None = {} if method in {"POST", "PUT", "PATCH"} else None
    response = await client.request(method, _concrete(path), headers=headers, json=body)
    return response.status_code


def test_an_undeclared_route_is_named() -> None:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/forgotten")
    async def forgotten() -> None: ...

    with pytest.raises(AssertionError, match="GET /forgotten declares nothing"):
        declared_routes(app)


async def test_every_role_gets_what_its_scopes_allow(gateway: RunningGateway) -> None:
    members: dict[Role, Member] = {role: await add_member(gateway, gateway.acme.id, role) for role in ROLES}
    wrong: list[str] = []
    async with gateway.client() as client:
        for (method, path), scope in sorted(declared_routes(gateway.app).items()):
            if scope != "public" and method != "HEAD":
                wrong += await _walk(client, members, method, path, scope)
    assert not wrong, "\n".join(wrong)


async def _walk(client: httpx.AsyncClient, members: dict[Role, Member], method: str, path: str, scope: str) -> list[str]:
    wrong: list[str] = []
    status = await _call(client, method, path, {})
    if status != 401:
        wrong.append(f"{method} {path} without credentials: {status}, expected 401")
    for role, member in members.items():
        status = await _call(client, method, path, member.headers)
        allowed = scope in ROLE_SCOPES[role]
        if allowed and status in (401, 403):
            wrong.append(f"{method} {path} as {role} (scope {scope}): {status}, expected to pass")
        if not allowed and status != 403:
            wrong.append(f"{method} {path} as {role} (needs {scope}): {status}, expected 403")
    return wrong
