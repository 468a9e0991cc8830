from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from jisik.db.models import RegisteredModel
from jisik.errors import NotFound

__all__ = ["create_model", "delete_model", "get_model", "list_models", "public_model", "update_model"]

Sealer = Callable[[str], str]


def public_model(model: RegisteredModel) -> dict[str, Any]:
    """The model as the API shows it: never the API key, only whether one is set."""
    data = model.model_dump(exclude={"api_key_encrypted"})
    data["parameters"] = {k: v for k, v in model.parameters.items() if k != "api_key"}
    data["has_api_key"] = bool(model.api_key_encrypted)
    return data


def _split_key(parameters: dict[str, Any], api_key: str | None) -> tuple[dict[str, Any], str | None]:
    parameters = dict(parameters)
    inline = parameters.pop("api_key", None)
    return parameters, api_key or (str(inline) if inline else None)


async def _clear_default(session: AsyncSession, tenant_id: str, model_type: str, keep: str) -> None:
    await session.execute(
        update(RegisteredModel)
        .where(
            col(RegisteredModel.tenant_id) == tenant_id,
            col(RegisteredModel.type) == model_type,
            col(RegisteredModel.id) != keep,
        )
        .values(is_default=False)
    )


async def create_model(
    *, session: AsyncSession, tenant_id: str, values: dict[str, Any], api_key: str | None, seal: Sealer
) -> RegisteredModel:
    parameters, key = _split_key(values.pop("parameters", {}), api_key)
    model = RegisteredModel(tenant_id=tenant_id, parameters=parameters, **values)
    if key:
        model.api_key_encrypted = seal(key)
    session.add(model)
    await session.flush()
    if model.is_default:
        await _clear_default(session, tenant_id, model.type, model.id)
    return model


async def list_models(*, session: AsyncSession, tenant_id: str) -> list[RegisteredModel]:
    query = (
        select(RegisteredModel)
        .where(col(RegisteredModel.tenant_id) == tenant_id)
        .order_by(col(RegisteredModel.created_at), col(RegisteredModel.id))
    )
    return list((await session.execute(query)).scalars().all())


async def get_model(*, session: AsyncSession, tenant_id: str, model_id: str) -> RegisteredModel:
    query = select(RegisteredModel).where(col(RegisteredModel.id) == model_id, col(RegisteredModel.tenant_id) == tenant_id)
    found = (await session.execute(query)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"model {model_id} not found", field="model_id")
    return found


async def update_model(
    *, session: AsyncSession, model: RegisteredModel, values: dict[str, Any], api_key: str | None, seal: Sealer
) -> RegisteredModel:
    """Apply an update. A stored API key belongs to its endpoint: when ``base_url`` changes and no key is
    sent with the change, the stored key is dropped (else it could be sent to any server)."""
    if "parameters" in values:
        parameters, api_key = _split_key(values.pop("parameters") or {}, api_key)
        if parameters.get("base_url") != model.parameters.get("base_url") and not api_key:
            model.api_key_encrypted = ""
        model.parameters = parameters
    for name, value in values.items():
        setattr(model, name, value)
    if api_key:
        model.api_key_encrypted = seal(api_key)
    session.add(model)
    await session.flush()
    if model.is_default:
        await _clear_default(session, model.tenant_id, model.type, model.id)
    await session.refresh(model)
    return model


async def delete_model(*, session: AsyncSession, model: RegisteredModel) -> None:
    await session.delete(model)
    await session.flush()
