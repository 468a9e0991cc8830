"""Everything the gateway opens once per process: database engine, service clients, object store,
chat pipeline and live answer streams."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession as SQLModelSession

from chat import ChatPipeline, StreamRegistry
from jisik.accounts.passwords import Passwords
from jisik.clients.bundle import ServiceClients
from jisik.db import audit_context
from jisik.db.engine import create_engine
from jisik.health import BusyTolerance
from jisik.netguard import AddressPolicy
from jisik.secret_box import SecretBox
from jisik.settings import Settings
from jisik.sso import ProviderConnections
from jisik.storage import ObjectStore, open_store
from ml.training.serving import TunedModels

from .catalog import DatabaseCatalog

__all__ = ["GatewayResources"]

logger = logging.getLogger(__name__)


@dataclass
class GatewayResources:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    # jisik.db.tenants uses SQLModel's ``exec``; everything else plain SQLAlchemy sessions.
    auth_sessions: async_sessionmaker[SQLModelSession]
    clients: ServiceClients
    pipeline: ChatPipeline
    pipeline_catalog: DatabaseCatalog
    streams: StreamRegistry
    readiness: BusyTolerance
    passwords: Passwords
    _store: ObjectStore | None = field(default=None, repr=False)
    _sso: ProviderConnections | None = field(default=None, repr=False)

    @classmethod
    def open(cls, settings: Settings) -> GatewayResources:
        audit_context.install()  # every write of a request records its actor for the audit trail
        engine = create_engine(settings.database.dsn, pool_size=settings.database.pool_size)
        sessions = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
        auth_sessions = async_sessionmaker(engine, class_=SQLModelSession, expire_on_commit=False)
        chat = settings.chat
        clients = ServiceClients.open(
            settings, timeout_s=chat.search_timeout_s, rerank_timeout_s=chat.rerank_timeout_s,
            generation_timeout_s=chat.generation_timeout_s,
        )
        catalog = DatabaseCatalog(sessions)
        tuned = TunedModels(sessions, refresh_s=settings.training.serving_refresh_s)
        pipeline = ChatPipeline(
            retriever=clients.retriever, model=clients.model, catalog=catalog, settings=chat, tuned=tuned
        )
        streams = StreamRegistry(grace_s=chat.resume_grace_s, finished_ttl_s=chat.finished_stream_ttl_s)
        return cls(
            settings, engine, sessions, auth_sessions, clients, pipeline, catalog, streams,
            BusyTolerance(settings.gateway.ready_busy_window_s), Passwords(settings.accounts),
        )

    @property
    def store(self) -> ObjectStore:
        """The object store, opened on first use."""
        if self._store is None:
            self._store = open_store(self.settings.storage)
        return self._store

    @property
    def sso(self) -> ProviderConnections:
        """The HTTP client and directory for tenants' identity providers, opened on first use."""
        if self._sso is None:
            sso = self.settings.sso
            self._sso = ProviderConnections.open(
                AddressPolicy(self.settings.endpoints.egress_allow_list), timeout_s=sso.http_timeout_s,
                ttl_s=sso.discovery_ttl_s,
            )
        return self._sso

    @cached_property
    def secret_box(self) -> SecretBox:
        """Seals and opens stored secrets (webhook signing secrets, model API keys, SSO client secrets)."""
        return SecretBox(self.settings.endpoints.encryption_key.get_secret_value())

    def unseal_secret(self, sealed: str) -> str:
        """A secret sealed by :meth:`seal_api_key` (a tenant's SSO client secret), in clear."""
        return self.secret_box.decrypt(sealed, owner="the SSO configuration")

    def seal_api_key(self, api_key: str) -> str:
        """Encrypt a model's API key or SSO client secret with the operator's key (the model service
        opens API keys to call the model).

        :raises InvalidInput: no JISIK_ENCRYPTION_KEY is set (secrets are never stored in clear).
        """
        return self.secret_box.encrypt(api_key, field="api_key")

    async def aclose(self) -> None:
        if self._sso is not None:
            await self._sso.aclose()
        await self.streams.aclose()
        await self.clients.close()
        await self.engine.dispose()
