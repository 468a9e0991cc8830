"""Single sign-on (OpenID Connect) settings shared by every tenant; each tenant's provider is stored in
the database (``tenant_sso``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ._base import JisikSettings


class SsoSettings(JisikSettings):
    config_table = "sso"
    model_config = SettingsConfigDict(env_prefix="JISIK_SSO_", extra="ignore", frozen=True)

    public_url: str = Field(
        "", description="The gateway's address as browsers reach it (https://jisik.example.com), used in the "
        "redirect URI sent to providers; empty: the address of the request"
    )
    login_ttl_s: float = Field(600, gt=0, le=3600, description="How long a started sign-in may take at the provider")
    discovery_ttl_s: float = Field(
        3600, ge=0, description="How long a provider's discovery document and keys are reused (an unknown key id "
        "fetches the keys again at once)"
    )
    http_timeout_s: float = Field(10, gt=0, le=60, description="Deadline of one call to a provider")
    clock_skew_s: int = Field(60, ge=0, le=600, description="Leeway for the ID token's exp and iat")
