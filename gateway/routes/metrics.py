"""``GET /metrics``: this process's Prometheus metrics (no authentication, like the health probes;
they carry route templates, counts and timings only, never tenant data)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ..deps import PUBLIC

router = APIRouter(tags=["health"])


@router.get("/metrics", include_in_schema=False, dependencies=[PUBLIC])
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
