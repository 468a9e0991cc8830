"""Ingest pipeline status."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ingest.commands import consumer_lag

from ..deps import SettingsDep, TenantDep
from ..schemas.common import Envelope

router = APIRouter(prefix="/ingest", tags=["ingest"])


@router.get("/lag", response_model=Envelope[dict[str, int]])
async def lag(_: TenantDep, settings: SettingsDep) -> dict[str, Any]:
    """Unprocessed events per pipeline stage (Kafka consumer lag)."""
    return {"success": True, "data": await consumer_lag(settings)}
