"""The FastAPI application: routers, error handlers, request context, docs and the web app."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI

from ingest.lag_monitor import LagMonitor, sample_lag
from jisik.settings import Settings

from .access_log import AccessLogMiddleware
from .auth_limits import AuthFailureLimiter
from .docs import mount_docs
from .errors import install_error_handlers
from .hygiene import InputHygieneMiddleware
from .limits import BodyLimitMiddleware
from .middleware import RequestContextMiddleware
from .resources import GatewayResources
from .routes import (
    access,
    api_keys,
    audit,
    auth,
    chat,
    chunks,
    fields,
    groups,
    health,
    ingest,
    knowledge,
    knowledge_bases,
    messages,
    metrics,
    models,
    sessions,
    sso,
    tenants,
    training,
    usage,
    users,
    webhooks,
)
from .web import mount_web

__all__ = ["API_PREFIX", "create_app"]

API_PREFIX = "/api/v1"


def _api() -> APIRouter:
    api = APIRouter(prefix=API_PREFIX)
    for module in (tenants, knowledge_bases, knowledge, fields, chunks, sessions, chat, messages, models, ingest, audit,
                   webhooks, access, usage, auth, users, groups, api_keys, sso, training):
        api.include_router(module.router)
    return api


def create_app(settings: Settings) -> FastAPI:
    """The gateway app. Resources (database, gRPC channels, streams) open with the app's lifespan."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        resources = GatewayResources.open(settings)
        app.state.resources = resources
        sampler = asyncio.create_task(sample_lag(app.state.lag_monitor, settings))
        try:
            yield
        finally:
            sampler.cancel()
            await asyncio.gather(sampler, return_exceptions=True)
            await resources.aclose()

    app = FastAPI(
        title="jisik",
        summary="Self-hosted RAG: documents in, cited answers out (WeKnora-compatible API).",
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        # Our RequestContextMiddleware makes the one server span per request (route template, status).
        telemetry={"tracing": False, "metrics": False, "logs": False, "auto_configure": False},
    )
    install_error_handlers(app)
    app.state.auth_limiter = AuthFailureLimiter.from_settings(settings.gateway)
    app.state.lag_monitor = LagMonitor(settings.ingest.lag_window_samples)
    # Starlette runs the last added middleware first: context, access log, body limit, hygiene, routes.
    app.add_middleware(InputHygieneMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=(settings.gateway.max_upload_mb + 1) * 1024 * 1024)
    app.add_middleware(AccessLogMiddleware)
    app.add_middleware(RequestContextMiddleware)
    app.include_router(health.router)
    if settings.metrics.gateway_endpoint:
        app.include_router(metrics.router)
    app.include_router(_api())
    mount_docs(app)
    mount_web(app, Path(settings.gateway.web_dist))
    return app
