"""A tenant's OpenID Connect provider (the client secret goes in, never out)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from .common import Strict


class SsoSettingsUpdate(Strict):
    enabled: bool = False
    issuer: str = Field("", max_length=500)
    client_id: str = Field("", max_length=255)
    # None keeps the stored secret; "" removes it.
    client_secret: str | None = Field(None, max_length=1000)
    group_claim: str = Field("groups", min_length=1, max_length=100)
    scopes: str = Field("openid email profile", min_length=1, max_length=500)
    default_role: str = Field("viewer", max_length=16)


class SsoSettingsPublic(BaseModel):
    enabled: bool
    issuer: str
    client_id: str
    has_client_secret: bool
    group_claim: str
    scopes: str
    default_role: str
    # What to register at the provider as the redirect (callback) URI.
    redirect_uri: str
