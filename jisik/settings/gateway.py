"""Gateway (public HTTP API) settings."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from ._base import JisikSettings
from ._paths import installed


class GatewaySettings(JisikSettings):
    config_table = "gateway"
    model_config = SettingsConfigDict(env_prefix="JISIK_GATEWAY_", extra="ignore", frozen=True)

    max_upload_mb: int = Field(100, ge=1, description="Largest accepted upload, MiB")
    max_query_chars: int = Field(4000, ge=1, description="Longest accepted chat or search query")
    page_image_zoom: float = Field(
        1.5, ge=0.5, le=4.0, description="Scale of PDF page images for citations (1.0 = 72 dpi)"
    )
    web_dist: str = Field(
        "web/dist", description="Folder of the built web app served at /; a relative path is under the installation"
    )
    open_signup: bool = Field(False, description="Anyone may create a tenant via POST /api/v1/tenants")
    admin_token: SecretStr = Field(SecretStr(""), description="X-Admin-Token that may create tenants")
    max_page_size: int = Field(100, ge=1, le=1000, description="Largest page of a list endpoint")
    auth_free_failures: int = Field(
        5, ge=1, description="Failed API-key or admin-token attempts per client address before backoff starts"
    )
    auth_lockout_base_s: float = Field(1.0, gt=0, description="First lockout after too many failures; doubles each time")
    auth_lockout_max_s: float = Field(900.0, gt=0, description="Longest lockout after failed authentication")
    ready_busy_window_s: float = Field(
        30.0, ge=0,
        description="/ready reports a dependency that answered within this many seconds and now only times "
        "out as busy, not down",
    )

    @field_validator("web_dist")
    @classmethod
    def _anchored(cls, value: str) -> str:
        return str(installed(Path(value)))
