"""``jisik serve gateway``: the app under uvicorn until SIGINT/SIGTERM."""

from __future__ import annotations

import uvicorn

from jisik.settings import Settings

from .app import create_app

__all__ = ["run"]


async def run(settings: Settings, *, port: int | None = None) -> None:
    config = uvicorn.Config(
        create_app(settings),
        host=settings.endpoints.bind_host,
        port=port or settings.endpoints.gateway_port,
        log_config=None,
        proxy_headers=False,
        timeout_graceful_shutdown=5,
    )
    await uvicorn.Server(config).serve()
