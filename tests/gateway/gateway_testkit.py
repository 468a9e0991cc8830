"""A real gateway under uvicorn on 127.0.0.1:0 against a real migrated database, plus two tenants."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway import create_app
from gateway.server import uvicorn_config
from jisik.db.engine import create_engine
from jisik.db.tenants import create_tenant
from jisik.settings import Settings

ADMIN_TOKEN = "admin-token-for-tests"


def gateway_settings(
    database_url: str,
    data_dir: Path,
    *,
    endpoints: dict[str, Any] | None = None,
    kafka_servers: str = "",
    **chat: Any,
) -> Settings:
    base = Settings.load()
    return base.model_copy(
        update={
            "kafka": base.kafka.model_copy(update={"bootstrap_servers": kafka_servers}),
            "database": base.database.model_copy(update={"url": database_url, "pool_size": 5}),
            "storage": base.storage.model_copy(update={"backend": "local", "local_dir": data_dir / "objects"}),
            "gateway": base.gateway.model_copy(
                update={"admin_token": SecretStr(ADMIN_TOKEN), "web_dist": str(data_dir / "no-web")}
            ),
            "chat": base.chat.model_copy(update=chat),
            # Nothing listens on fresh ports: services a test does not start are down, never someone else's.
            "endpoints": base.endpoints.model_copy(update={**_unused_addresses(), **(endpoints or {})}),
        }
    )


def _unused_addresses() -> dict[str, str]:
    addresses = {}
    for name in ("docreader_addr", "retriever_addr", "model_addr"):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            addresses[name] = f"127.0.0.1:{probe.getsockname()[1]}"
    return addresses


@dataclass
class Tenant:
    id: str
    api_key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"X-API-Key": self.api_key}


@dataclass
class RunningGateway:
    url: str
    settings: Settings
    app: Any
    acme: Tenant
    globex: Tenant
    sessions: async_sessionmaker[AsyncSession] = field(repr=False)

    def client(self, tenant: Tenant | None = None, *, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
        merged = {**(tenant.headers if tenant else {}), **(headers or {})}
        return httpx.AsyncClient(base_url=self.url, headers=merged, timeout=30.0)


async def _tenant(sessions: async_sessionmaker[AsyncSession], name: str) -> Tenant:
    async with sessions() as session, session.begin():
        tenant, api_key = await create_tenant(session, name=name)
    return Tenant(tenant.id, api_key)


@asynccontextmanager
async def running_gateway(settings: Settings) -> AsyncIterator[RunningGateway]:
    app = create_app(settings)
    server = uvicorn.Server(uvicorn_config(app, host="127.0.0.1", port=0))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    engine = create_engine(settings.database.url, pool_size=2)
    sessions = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
    try:
        acme, globex = await _tenant(sessions, "acme"), await _tenant(sessions, "globex")
        yield RunningGateway(f"http://127.0.0.1:{port}", settings, app, acme, globex, sessions)
    finally:
        server.should_exit = True
        await task
        await engine.dispose()
