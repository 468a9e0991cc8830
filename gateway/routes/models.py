"""Registered models (embedding, rerank, chat, vision). API keys are write-only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from jisik.netguard import AddressPolicy
from jisik.settings import Settings

from ..deps import ResourcesDep, SessionDep, TenantDep, require_scope
from ..repositories import models as repo
from ..schemas.common import Envelope
from ..schemas.model import ModelCreate, ModelPublic, ModelUpdate
from ..services.model_check import check_model

router = APIRouter(prefix="/models", tags=["models"])


def _secret(value: Any) -> str | None:
    return value.get_secret_value() if value is not None else None


def _check_endpoint(parameters: dict[str, Any] | None, settings: Settings) -> None:
    """Refuse at write time a ``base_url`` the model service would refuse to call (same policy)."""
    if parameters and parameters.get("base_url"):
        AddressPolicy(settings.endpoints.egress_allow_list).check_url(str(parameters["base_url"]))


@router.post("", status_code=201, response_model=Envelope[ModelPublic], dependencies=[require_scope("admin")])
async def create(body: ModelCreate, tenant: TenantDep, session: SessionDep, resources: ResourcesDep) -> dict[str, Any]:
    """Register a model; an API key (top level or parameters.api_key) is stored encrypted and never returned."""
    _check_endpoint(body.parameters, resources.settings)
    model = await repo.create_model(
        session=session,
        tenant_id=tenant.id,
        values=body.model_dump(exclude={"api_key"}),
        api_key=_secret(body.api_key),
        seal=resources.seal_api_key,
    )
    return {"success": True, "data": repo.public_model(model)}


@router.get("", response_model=Envelope[list[ModelPublic]], dependencies=[require_scope("read")])
async def list_all(tenant: TenantDep, session: SessionDep) -> dict[str, Any]:
    rows = await repo.list_models(session=session, tenant_id=tenant.id)
    return {"success": True, "data": [repo.public_model(row) for row in rows]}


@router.get("/{model_id}", response_model=Envelope[ModelPublic], dependencies=[require_scope("read")])
async def get(model_id: str, tenant: TenantDep, session: SessionDep) -> dict[str, Any]:
    model = await repo.get_model(session=session, tenant_id=tenant.id, model_id=model_id)
    return {"success": True, "data": repo.public_model(model)}


@router.put("/{model_id}", response_model=Envelope[ModelPublic], dependencies=[require_scope("admin")])
async def update(
    model_id: str, body: ModelUpdate, tenant: TenantDep, session: SessionDep, resources: ResourcesDep
) -> dict[str, Any]:
    _check_endpoint(body.parameters, resources.settings)
    model = await repo.get_model(session=session, tenant_id=tenant.id, model_id=model_id)
    updated = await repo.update_model(
        session=session,
        model=model,
        values=body.model_dump(exclude_unset=True, exclude={"api_key"}),
        api_key=_secret(body.api_key),
        seal=resources.seal_api_key,
    )
    return {"success": True, "data": repo.public_model(updated)}


@router.delete("/{model_id}", response_model=Envelope[None], dependencies=[require_scope("admin")])
async def delete(model_id: str, tenant: TenantDep, session: SessionDep) -> dict[str, Any]:
    model = await repo.get_model(session=session, tenant_id=tenant.id, model_id=model_id)
    await repo.delete_model(session=session, model=model)
    return {"success": True, "data": None}


@router.post(
    "/{model_id}/test", response_model=Envelope[dict[str, Any]],
    dependencies=[require_scope("admin")],
)
async def test(model_id: str, tenant: TenantDep, session: SessionDep, resources: ResourcesDep) -> dict[str, Any]:
    """Call the model once through the model service: ``{ok, message, latency_ms}``."""
    model = await repo.get_model(session=session, tenant_id=tenant.id, model_id=model_id)
    return {"success": True, "data": await check_model(resources.clients.model, model)}
