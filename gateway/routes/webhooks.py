"""Webhook endpoints of the caller's tenant, their delivery log, and replay. Secrets are shown once."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from jisik.db.models import WebhookEndpoint
from jisik.netguard import AddressPolicy
from jisik.settings import Settings
from jisik.webhooks import endpoints as repo
from jisik.webhooks import event_schemas
from jisik.webhooks.log import list_deliveries, replay_message, replay_range

from ..deps import ResourcesDep, SessionDep, SettingsDep, TenantDep, require_scope
from ..schemas.common import Envelope, Paged
from ..schemas.webhook import (
    DeliveryPublic,
    EndpointCreate,
    EndpointCreated,
    EndpointPublic,
    EndpointUpdate,
    EventTypePublic,
    ReplayRange,
    ReplayResult,
)

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

def _policy(settings: Settings) -> AddressPolicy:
    return AddressPolicy(settings.endpoints.egress_allow_list)


def _public(endpoint: WebhookEndpoint, *, secret: str = "") -> dict[str, Any]:
    """The endpoint as shown; with ``secret`` (in clear) only right after it was made."""
    data = endpoint.model_dump(exclude={"secret", "previous_secret", "tenant_id"})
    if secret:
        data["secret"] = secret
    return data


@router.get(
    "/event-types", response_model=Envelope[list[EventTypePublic]],
    dependencies=[require_scope("read")],
)
async def event_types() -> dict[str, Any]:
    """Every event type with its schema version and the JSON schema of its ``data``."""
    return {"success": True, "data": event_schemas()}


@router.post(
    "", status_code=201, response_model=Envelope[EndpointCreated],
    dependencies=[require_scope("admin")],
)
async def create(
    body: EndpointCreate, tenant: TenantDep, session: SessionDep, resources: ResourcesDep
) -> dict[str, Any]:
    """Register an endpoint. The answer carries its signing secret; it is never shown again."""
    settings = resources.settings
    endpoint, secret = await repo.create_endpoint(
        session, tenant_id=tenant.id, url=body.url, event_types=body.event_types, description=body.description,
        enabled=body.enabled, policy=_policy(settings), settings=settings.webhooks, box=resources.secret_box,
    )
    return {"success": True, "data": _public(endpoint, secret=secret)}


@router.get("", response_model=Envelope[list[EndpointPublic]], dependencies=[require_scope("admin")])
async def list_all(tenant: TenantDep, session: SessionDep) -> dict[str, Any]:
    rows = await repo.list_endpoints(session, tenant_id=tenant.id)
    return {"success": True, "data": [_public(row) for row in rows]}


@router.get("/{endpoint_id}", response_model=Envelope[EndpointPublic], dependencies=[require_scope("admin")])
async def get(endpoint_id: str, tenant: TenantDep, session: SessionDep) -> dict[str, Any]:
    endpoint = await repo.get_endpoint(session, tenant_id=tenant.id, endpoint_id=endpoint_id)
    return {"success": True, "data": _public(endpoint)}


@router.put("/{endpoint_id}", response_model=Envelope[EndpointPublic], dependencies=[require_scope("admin")])
async def update(
    endpoint_id: str, body: EndpointUpdate, tenant: TenantDep, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    """Change URL, event types, description or enabled (enabling clears a disable notice)."""
    endpoint = await repo.get_endpoint(session, tenant_id=tenant.id, endpoint_id=endpoint_id)
    changed = await repo.update_endpoint(
        session, endpoint=endpoint, policy=_policy(settings), url=body.url, event_types=body.event_types,
        description=body.description, enabled=body.enabled,
    )
    return {"success": True, "data": _public(changed)}


@router.delete("/{endpoint_id}", response_model=Envelope[None], dependencies=[require_scope("admin")])
async def delete(endpoint_id: str, tenant: TenantDep, session: SessionDep) -> dict[str, Any]:
    """Delete the endpoint with its delivery log; undelivered messages are dropped."""
    endpoint = await repo.get_endpoint(session, tenant_id=tenant.id, endpoint_id=endpoint_id)
    await repo.delete_endpoint(session, endpoint=endpoint)
    return {"success": True, "data": None}


@router.post(
    "/{endpoint_id}/rotate-secret", response_model=Envelope[EndpointCreated],
    dependencies=[require_scope("admin")],
)
async def rotate(endpoint_id: str, tenant: TenantDep, session: SessionDep, resources: ResourcesDep) -> dict[str, Any]:
    """A new signing secret (shown once); the previous one keeps signing beside it for 24 hours."""
    endpoint = await repo.get_endpoint(session, tenant_id=tenant.id, endpoint_id=endpoint_id)
    rotated, secret = await repo.rotate_secret(
        session, endpoint=endpoint, overlap_s=resources.settings.webhooks.rotation_overlap_s,
        box=resources.secret_box,
    )
    return {"success": True, "data": _public(rotated, secret=secret)}


@router.get(
    "/{endpoint_id}/deliveries", response_model=Paged[DeliveryPublic],
    dependencies=[require_scope("admin")],
)
async def deliveries(
    endpoint_id: str,
    tenant: TenantDep,
    session: SessionDep,
    settings: SettingsDep,
    status: Annotated[str | None, Query(description="pending, succeeded or failed")] = None,
    since: Annotated[datetime | None, Query(description="Events created at or after this time")] = None,
    until: Annotated[datetime | None, Query(description="Events created before this time")] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=1000)] = 20,
) -> dict[str, Any]:
    """Newest first: each event sent to the endpoint with its attempts (result, status code, latency
    and the first bytes of the answer)."""
    await repo.get_endpoint(session, tenant_id=tenant.id, endpoint_id=endpoint_id)
    page_size = min(page_size, settings.gateway.max_page_size)
    rows, total = await list_deliveries(
        session, tenant_id=tenant.id, endpoint_id=endpoint_id, status=status, since=since, until=until,
        page=page, page_size=page_size,
    )
    return {"success": True, "data": rows, "total": total, "page": page, "page_size": page_size}


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/replay", status_code=202, response_model=Envelope[ReplayResult],
    dependencies=[require_scope("admin")],
)
async def replay_one(endpoint_id: str, delivery_id: str, tenant: TenantDep, session: SessionDep) -> dict[str, Any]:
    """Send one delivery again now, with the same webhook-id."""
    await replay_message(session, tenant_id=tenant.id, endpoint_id=endpoint_id, message_id=delivery_id)
    return {"success": True, "data": {"queued": 1}}


@router.post(
    "/{endpoint_id}/replay", status_code=202, response_model=Envelope[ReplayResult],
    dependencies=[require_scope("admin")],
)
async def replay(endpoint_id: str, body: ReplayRange, tenant: TenantDep, session: SessionDep) -> dict[str, Any]:
    """Send again the deliveries of events created in [since, until) (by default only the given-up ones)."""
    await repo.get_endpoint(session, tenant_id=tenant.id, endpoint_id=endpoint_id)
    queued = await replay_range(
        session, tenant_id=tenant.id, endpoint_id=endpoint_id, since=body.since, until=body.until,
        only_failed=body.only_failed,
    )
    return {"success": True, "data": {"queued": queued}}
