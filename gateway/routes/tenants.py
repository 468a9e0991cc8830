"""Tenants. A key sees only its own tenant; creating one needs the admin token (or open sign-up)."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request

from jisik.db.models import Tenant
from jisik.db.tenants import create_tenant, revoke_api_key, rotate_api_key
from jisik.errors import Blocked, NotFound, Unauthenticated
from jisik.settings import Settings

from ..auth_limits import counted_attempt
from ..deps import (
    PUBLIC,
    ActorDep,
    ResourcesDep,
    SessionDep,
    SettingsDep,
    TenantDep,
    require_owner,
    require_scope,
)
from ..schemas.common import Envelope
from ..schemas.tenant import TenantCreate, TenantCreated, TenantPublic, TenantUpdate

router = APIRouter(prefix="/tenants", tags=["tenants"])


def _own(tenant_id: str, tenant: Any) -> None:
    if tenant_id != tenant.id:
        raise NotFound(f"tenant {tenant_id} not found", field="tenant_id")


def check_admin_token(request: Request, settings: Settings, sent: str | None) -> None:
    """:raises Unauthenticated: the X-Admin-Token is missing or wrong (wrong ones count towards backoff)."""
    admin = settings.gateway.admin_token.get_secret_value()
    if not admin:
        raise Blocked("no admin token is configured; set JISIK_GATEWAY_ADMIN_TOKEN")
    if not sent:
        raise Unauthenticated("this needs the admin token (X-Admin-Token)")
    with counted_attempt(request):
        if not hmac.compare_digest(sent.encode(), admin.encode()):
            raise Unauthenticated("this needs the admin token (X-Admin-Token)")


@router.post("", status_code=201, response_model=Envelope[TenantCreated], dependencies=[PUBLIC])
async def create(
    request: Request,
    body: TenantCreate,
    session: SessionDep,
    settings: SettingsDep,
    x_admin_token: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> dict[str, Any]:
    """Create a tenant; the response carries its API key, shown only this once."""
    if not settings.gateway.open_signup:
        if not settings.gateway.admin_token.get_secret_value():
            raise Blocked("tenant sign-up is closed; set JISIK_GATEWAY_ADMIN_TOKEN to create tenants")
        check_admin_token(request, settings, x_admin_token)
    tenant, api_key = await create_tenant(session, name=body.name, description=body.description)
    await session.refresh(tenant)
    return {"success": True, "data": {**TenantPublic.model_validate(tenant).model_dump(), "api_key": api_key}}


@router.get("", response_model=Envelope[list[TenantPublic]], dependencies=[require_scope("read")])
async def list_own(tenant: TenantDep) -> dict[str, Any]:
    """The caller's tenant (a key never sees other tenants)."""
    return {"success": True, "data": [tenant]}


@router.get("/{tenant_id}", response_model=Envelope[TenantPublic], dependencies=[require_scope("read")])
async def get(tenant_id: str, tenant: TenantDep) -> dict[str, Any]:
    _own(tenant_id, tenant)
    return {"success": True, "data": tenant}


@router.put("/{tenant_id}", response_model=Envelope[TenantPublic], dependencies=[require_scope("admin")])
async def update(tenant_id: str, body: TenantUpdate, tenant: TenantDep, session: SessionDep) -> dict[str, Any]:
    _own(tenant_id, tenant)
    row = await session.get_one(Tenant, tenant.id)
    for name, value in body.model_dump(exclude_unset=True).items():
        setattr(row, name, ",".join(value or []) if name == "pii_types" else value)
    await session.flush()
    await session.refresh(row)
    return {"success": True, "data": row}


@router.delete("/{tenant_id}", response_model=Envelope[None], dependencies=[require_scope("admin")])
async def delete(
    tenant_id: str, tenant: TenantDep, actor: ActorDep, session: SessionDep, resources: ResourcesDep
) -> dict[str, Any]:
    """Delete the tenant and everything it owns: rows and stored files now, index entries after the commit
    (the documents' rows cascade, and CDC's index.meta deletes them from the index)."""
    _own(tenant_id, tenant)
    require_owner(actor, "delete the tenant")
    store = resources.store
    await session.delete(await session.get_one(Tenant, tenant.id))
    await session.flush()
    await store.delete_prefix(f"{tenant.id}/")
    return {"success": True, "data": None}


@router.post(
    "/{tenant_id}/api-key/rotate", response_model=Envelope[TenantCreated],
    dependencies=[require_scope("admin")],
)
async def rotate_key(tenant_id: str, tenant: TenantDep, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    """Replace the caller's API key: the new key is in this response only; the old one stops working now."""
    _own(tenant_id, tenant)
    require_owner(actor, "rotate the tenant's key")
    row = await session.get_one(Tenant, tenant.id)
    api_key = await rotate_api_key(session, row)
    await session.refresh(row)
    return {"success": True, "data": {**TenantPublic.model_validate(row).model_dump(), "api_key": api_key}}


@router.post(
    "/{tenant_id}/api-key/revoke", response_model=Envelope[None],
    dependencies=[require_scope("admin")],
)
async def revoke_key(tenant_id: str, tenant: TenantDep, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    """Make the caller's API key stop working (for a leaked key). An operator issues a new one with
    ``jisik tenant rotate-key``."""
    _own(tenant_id, tenant)
    require_owner(actor, "revoke the tenant's key")
    await revoke_api_key(session, await session.get_one(Tenant, tenant.id))
    return {"success": True, "data": None}
