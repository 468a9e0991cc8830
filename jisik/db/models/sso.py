"""Single sign-on per tenant (OpenID Connect): the tenant's provider, sign-ins in progress, and which
provider subject is which user."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import VARCHAR, Column, DateTime, UniqueConstraint
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from ._common import id_field, tenant_field, timestamp_field

DEFAULT_SCOPES = "openid email profile"


class TenantSso(SQLModel, table=True):
    """A tenant's OpenID Connect provider. The client secret is sealed (Fernet) and never returned."""

    __tablename__ = "tenant_sso"

    tenant_id: str = Field(primary_key=True, foreign_key="tenants.id", max_length=36, ondelete="CASCADE")
    enabled: bool = False
    issuer: str = Field(default="", max_length=500)
    client_id: str = Field(default="", max_length=255)
    client_secret_sealed: str = Field(default="", max_length=2000)
    # The ID-token claim holding the user's group names (each becomes the principal group:<name>).
    group_claim: str = Field(default="groups", max_length=100)
    scopes: str = Field(default=DEFAULT_SCOPES, max_length=500)
    # Role of a user created by a first sign-in.
    default_role: str = Field(default="viewer", max_length=16)
    updated_at: datetime = timestamp_field(onupdate=True)


class SsoLogin(SQLModel, table=True):
    """A sign-in sent to the provider and not back yet; used once. The row is keyed by the state's
    sha256; the browser holds the state itself in a cookie, so another browser cannot finish it."""

    __tablename__ = "sso_logins"

    state_hash: str = Field(primary_key=True, max_length=64)
    tenant_id: str = tenant_field()
    nonce: str = Field(max_length=128)
    code_verifier: str = Field(max_length=128)
    redirect_uri: str = Field(max_length=1000)
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class SsoIdentity(SQLModel, table=True):
    """The provider's subject behind a user, and the groups its last sign-in brought."""

    __tablename__ = "sso_identities"
    __table_args__ = (UniqueConstraint("tenant_id", "issuer", "subject", name="uq_sso_identities_subject"),)

    id: str = id_field()
    tenant_id: str = tenant_field()
    issuer: str = Field(max_length=500)
    subject: str = Field(max_length=255)
    user_id: str = Field(foreign_key="users.id", max_length=36, ondelete="CASCADE", index=True)
    groups: list[str] = Field(default_factory=list, sa_column=Column(ARRAY(VARCHAR(100)), nullable=False))
    created_at: datetime = timestamp_field()
    last_signin_at: datetime = timestamp_field()
