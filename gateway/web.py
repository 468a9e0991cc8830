"""The built web app (web/dist) at ``/``, with single-page-app fallback to index.html."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from starlette.exceptions import HTTPException

from .deps import PUBLIC

__all__ = ["mount_web"]

logger = logging.getLogger(__name__)
_RESERVED = ("api/", "docs", "openapi.json", "health", "ready", "metrics")


def mount_web(app: FastAPI, dist: Path) -> bool:
    """Serve ``dist`` when it holds a build; False (and nothing mounted) otherwise."""
    root = dist.resolve()
    index = root / "index.html"
    if not index.is_file():
        logger.info("no web build at %s; the API is served alone", dist)
        return False

    @app.get("/{path:path}", include_in_schema=False, dependencies=[PUBLIC])
    async def web_app(path: str) -> FileResponse:
        if path.startswith(_RESERVED):
            raise HTTPException(404, f"no route /{path}")
        target = (root / path).resolve()
        if path and target.is_file() and target.is_relative_to(root):
            return FileResponse(target)
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    return True
