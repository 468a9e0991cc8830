"""``jisik serve gateway``: the app under uvicorn until SIGINT/SIGTERM."""

from __future__ import annotations

from typing import Any

import uvicorn

from jisik.settings import Settings

from .app import create_app

__all__ = ["run", "uvicorn_config"]


def uvicorn_config(app: Any, *, host: str, port: int) -> uvicorn.Config:
    """How the gateway runs under uvicorn (the tests use the same)."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        lifespan="on",
        proxy_headers=False,
        access_log=False,  # gateway.access_log writes the access log, with query values redacted
        timeout_graceful_shutdown=5,
    )


async def run(settings: Settings, *, port: int | None = None) -> None:
    config = uvicorn_config(
        create_app(settings), host=settings.endpoints.bind_host, port=port or settings.endpoints.gateway_port
    )
    await uvicorn.Server(config).serve()
