"""Liveness and readiness (no authentication)."""

from __future__ import annotations

import importlib
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ..deps import SettingsDep

router = APIRouter(tags=["health"])


@router.get("/health")
async def health() -> dict[str, str]:
    """The gateway process is alive."""
    return {"status": "ok"}


def _as_dict(status: Any) -> dict[str, Any]:
    if isinstance(status, dict):
        return status
    if hasattr(status, "model_dump"):
        return status.model_dump()  # type: ignore[no-any-return]
    return {"ok": bool(getattr(status, "ok", False)), "reason": str(getattr(status, "reason", ""))}


@router.get("/ready")
async def ready(settings: SettingsDep) -> JSONResponse:
    """Every dependency answers; 503 naming the ones that do not."""
    try:
        health_module = importlib.import_module("jisik.health")
    except ImportError:
        body = {"status": "unavailable", "down": ["health checks"], "dependencies": {}}
        return JSONResponse(body | {"reason": "jisik.health is not installed"}, status_code=503)
    results = {name: _as_dict(status) for name, status in (await health_module.check_dependencies(settings)).items()}
    down = sorted(name for name, status in results.items() if not status.get("ok"))
    body = {"status": "unavailable" if down else "ok", "down": down, "dependencies": results}
    return JSONResponse(body, status_code=503 if down else 200)
