"""Liveness and readiness (no authentication)."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from jisik.health import check_dependencies

from ..deps import ResourcesDep

router = APIRouter(tags=["health"])


@router.get("/health")
async def health() -> dict[str, str]:
    """The gateway process is alive."""
    return {"status": "ok"}


@router.get("/ready")
async def ready(resources: ResourcesDep) -> JSONResponse:
    """Every dependency answers; 503 naming the ones that do not."""
    results = await check_dependencies(resources.settings, engine=resources.engine)
    down = sorted(name for name, status in results.items() if not status.ok)
    body = {
        "status": "unavailable" if down else "ok",
        "down": down,
        "dependencies": {name: asdict(status) for name, status in results.items()},
    }
    return JSONResponse(body, status_code=503 if down else 200)
