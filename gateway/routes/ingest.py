"""Ingest pipeline status."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ingest.backlog import stage_backlog
from ingest.commands import consumer_lag
from jisik.errors import Unavailable

from ..deps import SessionDep, SettingsDep, TenantDep
from ..schemas.common import Envelope

router = APIRouter(prefix="/ingest", tags=["ingest"])


@router.get("/lag", response_model=Envelope[dict[str, int]])
async def lag(tenant: TenantDep, settings: SettingsDep, session: SessionDep) -> dict[str, Any]:
    """Work waiting per pipeline stage: the caller's unfinished documents in that stage, or the stage's
    unconsumed events (Kafka consumer lag) when those are more; ``unfinished_documents`` is the
    caller's total. The documents come from the database, so work a broker lost still counts."""
    documents = await stage_backlog(session, tenant.id)
    try:
        events = await consumer_lag(settings)
    except Unavailable:
        events = {}
    data = {stage: max(count, events.get(stage, 0)) for stage, count in documents.items()}
    return {"success": True, "data": {**data, "unfinished_documents": sum(documents.values())}}
