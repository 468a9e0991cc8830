"""Where every process listens and how the others reach it."""

from __future__ import annotations

from typing import NamedTuple

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from ._base import JisikSettings


class Endpoint(NamedTuple):
    host: str
    port: int

    @classmethod
    def parse(cls, address: str) -> Endpoint:
        """``host:port`` (IPv6 hosts in brackets).

        :raises ValueError: no port, or one out of range.
        """
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"{address!r} is not host:port")
        return cls(host, int(port))


class EndpointSettings(JisikSettings):
    """Addresses of the jisik services (host:port), how they authenticate each other, and which
    internal addresses server-side calls to tenant-chosen URLs may reach.

    The embedded runtime binds every service on 127.0.0.1.
    """

    config_table = "endpoints"
    config_aliases = {"encryption_key": ("model", "encryption_key")}  # the key's table before it sealed every secret
    model_config = SettingsConfigDict(env_prefix="JISIK_", extra="ignore", frozen=True)

    bind_host: str = Field("127.0.0.1", description="Interface every service binds to")
    gateway_port: int = Field(8080, ge=1, le=65535)
    docreader_addr: str = Field("127.0.0.1:17051", description="docreader gRPC address")
    retriever_addr: str = Field("127.0.0.1:17052", description="retriever gRPC address")
    model_addr: str = Field("127.0.0.1:17053", description="model service gRPC address")
    grpc_max_message_mb: int = Field(64, ge=1, le=2048, description="gRPC send/receive cap, MiB")
    grpc_shutdown_grace_s: float = Field(5.0, ge=0, description="Seconds a gRPC server waits on stop")
    service_token: SecretStr = Field(
        SecretStr(""),
        description="Shared secret every internal gRPC call carries; required when a service binds beyond loopback",
    )
    encryption_key: SecretStr = Field(
        SecretStr(""),
        validation_alias=AliasChoices("JISIK_ENCRYPTION_KEY", "JISIK_MODEL_ENCRYPTION_KEY"),
        description="Fernet key (url-safe base64, 32 bytes) sealing stored secrets: webhook signing secrets, "
        "remote models' API keys, SSO client secrets; `jisik up` generates one in its data folder when unset",
    )
    egress_allow_list: list[str] = Field(
        default=[],
        validation_alias=AliasChoices("JISIK_EGRESS_ALLOW_LIST", "JISIK_DOCREADER_URL_ALLOW_LIST"),
        description="Hosts, IPs or CIDRs that URL import, captioning, model backends and webhooks may reach "
        "even when private (intranet use)",
    )

    @property
    def grpc_max_message_bytes(self) -> int:
        return self.grpc_max_message_mb * 1024 * 1024

    @field_validator("docreader_addr", "retriever_addr", "model_addr")
    @classmethod
    def _host_port(cls, value: str) -> str:
        Endpoint.parse(value)
        return value

    @property
    def docreader(self) -> Endpoint:
        return Endpoint.parse(self.docreader_addr)

    @property
    def retriever(self) -> Endpoint:
        return Endpoint.parse(self.retriever_addr)

    @property
    def model(self) -> Endpoint:
        return Endpoint.parse(self.model_addr)
