"""Request and response bodies of sign-in, users, invitations, groups and API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from jisik.accounts.roles import Role, Scope

from .common import Strict


class SignInRequest(Strict):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)
    tenant_id: str | None = Field(None, max_length=36, description="Only when the e-mail is in several tenants")


class PasswordChange(Strict):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class InvitationAccept(Strict):
    token: str = Field(min_length=8, max_length=200)
    name: str = Field("", max_length=255)
    password: str = Field(min_length=1, max_length=1024)


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: Literal["person", "service"]
    email: str | None
    name: str
    role: Role
    disabled: bool
    must_change_password: bool
    locked_until: datetime | None
    last_signin_at: datetime | None
    created_at: datetime


class Me(BaseModel):
    """The caller: who, in which tenant, with which scopes. ``csrf_token`` is set for a browser session."""

    actor: str
    tenant_id: str
    tenant_name: str
    role: Role | None
    scopes: list[Scope]
    principals: list[str]
    user: UserPublic | None
    csrf_token: str | None = None
    session_expires_at: datetime | None = None


class InvitationCreate(Strict):
    email: str = Field(min_length=3, max_length=320)
    role: Role = "viewer"


class InvitationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    email: str
    role: Role
    invited_by: str
    expires_at: datetime
    created_at: datetime


class InvitationCreated(InvitationPublic):
    token: str = Field(description="Goes into the invitation link; shown only in this response")


class ServiceAccountCreate(Strict):
    name: str = Field(min_length=1, max_length=255)
    role: Role = "viewer"


class UserUpdate(Strict):
    role: Role | None = None
    disabled: bool | None = None
    name: str | None = Field(None, max_length=255)


class SeatsPublic(BaseModel):
    used: int
    pending: int
    limit: int


class GroupCreate(Strict):
    name: str = Field(min_length=1, max_length=100)
    description: str = Field("", max_length=1000)


class GroupUpdate(Strict):
    name: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=1000)


class GroupPublic(BaseModel):
    id: str
    name: str
    description: str
    principal: str
    member_ids: list[str]
    created_at: datetime


class ApiKeyCreate(Strict):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[Scope] = Field(min_length=1)
    expires_in_days: int = Field(90, ge=1, description="Days until the key stops working")
    user_id: str | None = Field(None, max_length=36, description="A service account's id; default: the caller")


class ApiKeyPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    user_id: str
    name: str
    prefix: str
    scopes: list[Scope]
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    created_by: str
    created_at: datetime


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="The key itself, shown only in this response")
