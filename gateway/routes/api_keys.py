"""API keys of users and service accounts: list, create (shown once), rotate (shown once), revoke.
Everyone handles their own keys; an administrator handles every key of the tenant."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter

from jisik.accounts import keys
from jisik.accounts.keys import IssuedKey

from ..deps import ActorDep, SessionDep, SettingsDep, require_scope
from ..schemas.accounts import ApiKeyCreate, ApiKeyCreated, ApiKeyPublic
from ..schemas.common import Envelope

router = APIRouter(prefix="/api-keys", tags=["api keys"])


def _issued(issued: IssuedKey) -> dict[str, Any]:
    return {"success": True, "data": {**ApiKeyPublic.model_validate(issued.row).model_dump(), "key": issued.secret}}


@router.get("", response_model=Envelope[list[ApiKeyPublic]], dependencies=[require_scope("read")])
async def list_keys(actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    return {"success": True, "data": await keys.list_keys(session, actor)}


@router.post("", status_code=201, response_model=Envelope[ApiKeyCreated], dependencies=[require_scope("read")])
async def create_key(body: ApiKeyCreate, actor: ActorDep, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """A key with some of the caller's scopes and an expiry; the key is in this response only. An
    administrator may make keys for service accounts (``user_id``)."""
    issued = await keys.create_key(
        session, actor, datetime.now(UTC), name=body.name, scopes=list(body.scopes),
        expires_in_days=body.expires_in_days, max_days=settings.accounts.api_key_max_days, user_id=body.user_id,
    )
    return _issued(issued)


@router.post("/{key_id}/rotate", response_model=Envelope[ApiKeyCreated], dependencies=[require_scope("read")])
async def rotate_key(key_id: str, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    """A new secret for the key; the old one stops working now. The new key is in this response only."""
    return _issued(await keys.rotate_key(session, actor, key_id))


@router.post("/{key_id}/revoke", response_model=Envelope[ApiKeyPublic], dependencies=[require_scope("read")])
async def revoke_key(key_id: str, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    return {"success": True, "data": await keys.revoke_key(session, actor, key_id, datetime.now(UTC))}
