"""Liveness and readiness (no authentication)."""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from ingest.backlog import unfinished_documents
from jisik.health import check_dependencies

from ..deps import PUBLIC, ResourcesDep

router = APIRouter(tags=["health"])

logger = logging.getLogger(__name__)


@router.get("/health", dependencies=[PUBLIC])
async def health() -> dict[str, str]:
    """The gateway process is alive."""
    return {"status": "ok"}


async def _documents(resources: ResourcesDep) -> dict[str, Any]:
    try:
        async with resources.sessions() as session:
            pending, stalled = await unfinished_documents(
                session, stale_after_s=resources.settings.ingest.redrive_stale_s
            )
    except (SQLAlchemyError, OSError):
        return {"pending_documents": None, "stalled_documents": None}
    return {"pending_documents": pending, "stalled_documents": stalled}


@router.get("/ready", dependencies=[PUBLIC])
async def ready(resources: ResourcesDep) -> JSONResponse:
    """Every dependency answers; 503 naming the ones that do not. Also counts the documents still in
    the pipeline (``pending_documents``) and those no worker has touched for the re-drive staleness
    time (``stalled_documents``)."""
    results = resources.readiness.apply(await check_dependencies(resources.settings, engine=resources.engine))
    down = sorted(name for name, status in results.items() if not status.ok)
    documents = await _documents(resources) if results["database"].ok else {
        "pending_documents": None, "stalled_documents": None,
    }
    body = {
        "status": "unavailable" if down else "ok",
        "down": down,
        "dependencies": {name: asdict(status) for name, status in results.items()},
        **documents,
    }
    return JSONResponse(body, status_code=503 if down else 200)
