"""Typed settings for every jisik process.

Each service has its own class (env prefix ``JISIK_<SVC>_``); :func:`get_settings` bundles them.
Values come from environment variables, then from the TOML file named by ``JISIK_CONFIG``.
Nothing else in jisik reads ``os.environ``.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from .accounts import AccountSettings
from .billing import BillingSettings
from .cdc import CdcSettings
from .chat import ChatSettings
from .database import DatabaseSettings
from .docreader import DocreaderSettings
from .endpoints import EndpointSettings
from .gateway import GatewaySettings
from .ingest import IngestSettings
from .kafka import KafkaSettings
from .metrics import MetricsSettings
from .model import ModelSettings
from .retriever import RetrieverSettings
from .runtime import RuntimeSettings
from .sso import SsoSettings
from .storage import StorageSettings
from .telemetry import TelemetrySettings
from .training import TrainingSettings
from .webhooks import WebhookSettings

__all__ = [
    "AccountSettings",
    "BillingSettings",
    "CdcSettings",
    "ChatSettings",
    "DatabaseSettings",
    "DocreaderSettings",
    "EndpointSettings",
    "GatewaySettings",
    "IngestSettings",
    "KafkaSettings",
    "MetricsSettings",
    "ModelSettings",
    "RetrieverSettings",
    "RuntimeSettings",
    "Settings",
    "SsoSettings",
    "StorageSettings",
    "TelemetrySettings",
    "TrainingSettings",
    "WebhookSettings",
    "get_settings",
]


class Settings(BaseModel):
    """All settings of one process, grouped by concern."""

    model_config = ConfigDict(frozen=True)

    endpoints: EndpointSettings
    database: DatabaseSettings
    kafka: KafkaSettings
    storage: StorageSettings
    telemetry: TelemetrySettings
    metrics: MetricsSettings
    runtime: RuntimeSettings
    docreader: DocreaderSettings
    retriever: RetrieverSettings
    model: ModelSettings
    gateway: GatewaySettings
    chat: ChatSettings
    ingest: IngestSettings
    cdc: CdcSettings
    training: TrainingSettings
    accounts: AccountSettings
    billing: BillingSettings
    webhooks: WebhookSettings
    sso: SsoSettings

    @classmethod
    def load(cls) -> Settings:
        """Read every group from the environment and the optional config file; the local object store
        lives under the data folder unless its own setting is absolute."""
        groups = {name: field.annotation() for name, field in cls.model_fields.items()}  # type: ignore[misc]  # every field's annotation is a settings class
        storage, runtime = groups["storage"], groups["runtime"]
        if not storage.local_dir.is_absolute():
            groups["storage"] = storage.model_copy(update={"local_dir": runtime.data_dir / storage.local_dir})
        return cls(**groups)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings.load()
