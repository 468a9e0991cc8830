"""People and their credentials: users (people and service accounts), groups, web sessions, API keys
and invitations. Secrets are never stored: tokens and keys as sha256, passwords as argon2 hashes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import VARCHAR, CheckConstraint, Column, DateTime, UniqueConstraint
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from ._common import id_field, tenant_field, timestamp_field


def _moment() -> datetime | None:
    """An optional timestamp column (None until the moment happens)."""
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))  # type: ignore[no-any-return]  # Field returns Any


class User(SQLModel, table=True):
    """A person who signs in (``kind='person'``) or a service account that only holds API keys
    (``kind='service'``: no e-mail, no password, takes no seat)."""

    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("tenant_id", "email", name="uq_users_tenant_email"),
        CheckConstraint("role IN ('owner','admin','editor','reviewer','viewer')", name="ck_users_role"),
        CheckConstraint("kind IN ('person','service')", name="ck_users_kind"),
    )

    id: str = id_field()
    tenant_id: str = tenant_field()
    kind: str = Field(default="person", max_length=16)
    # Lower-cased; None for service accounts.
    email: str | None = Field(default=None, max_length=320)
    name: str = Field(default="", max_length=255)
    role: str = Field(max_length=16)
    # argon2id hash; None for service accounts and users who only sign in with SSO.
    password_hash: str | None = Field(default=None, max_length=255)
    # Set for a password someone else chose (the first admin's from ``jisik up``): change it on sign-in.
    must_change_password: bool = False
    disabled: bool = False
    failed_signins: int = 0
    locked_until: datetime | None = _moment()
    last_signin_at: datetime | None = _moment()
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field(onupdate=True)


class Group(SQLModel, table=True):
    """A named set of users; its name is an access-list principal (``group:<name>``)."""

    __tablename__ = "groups"
    __table_args__ = (UniqueConstraint("tenant_id", "name", name="uq_groups_tenant_name"),)

    id: str = id_field()
    tenant_id: str = tenant_field()
    name: str = Field(max_length=100)
    description: str = Field(default="", max_length=1000)
    created_at: datetime = timestamp_field()


class GroupMember(SQLModel, table=True):
    __tablename__ = "group_members"

    group_id: str = Field(foreign_key="groups.id", primary_key=True, max_length=36, ondelete="CASCADE")
    user_id: str = Field(foreign_key="users.id", primary_key=True, max_length=36, ondelete="CASCADE", index=True)
    tenant_id: str = tenant_field()
    created_at: datetime = timestamp_field()


class WebSession(SQLModel, table=True):
    """A signed-in browser: the cookie holds a random token, the row its sha256."""

    __tablename__ = "web_sessions"

    id: str = id_field()
    tenant_id: str = tenant_field()
    user_id: str = Field(foreign_key="users.id", max_length=36, ondelete="CASCADE", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    # Sent back in X-CSRF-Token on every state-changing request made with this session's cookie.
    csrf_token: str = Field(max_length=64)
    created_at: datetime = timestamp_field()
    last_seen_at: datetime = timestamp_field()
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    revoked_at: datetime | None = _moment()


class ApiKey(SQLModel, table=True):
    """A key of a user or a service account, limited to its scopes (and its owner's role)."""

    __tablename__ = "api_keys"

    id: str = id_field()
    tenant_id: str = tenant_field()
    user_id: str = Field(foreign_key="users.id", max_length=36, ondelete="CASCADE", index=True)
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=16)
    key_hash: str = Field(max_length=64, unique=True)
    scopes: list[str] = Field(default_factory=list, sa_column=Column(ARRAY(VARCHAR(16)), nullable=False))
    expires_at: datetime | None = _moment()
    revoked_at: datetime | None = _moment()
    last_used_at: datetime | None = _moment()
    created_by: str = Field(default="", max_length=255)
    created_at: datetime = timestamp_field()


class Invitation(SQLModel, table=True):
    """An invitation to join a tenant with a role; the token (shown once) is stored as sha256."""

    __tablename__ = "invitations"

    id: str = id_field()
    tenant_id: str = tenant_field()
    email: str = Field(max_length=320)
    role: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True)
    invited_by: str = Field(default="", max_length=255)
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    accepted_at: datetime | None = _moment()
    revoked_at: datetime | None = _moment()
    created_at: datetime = timestamp_field()
