"""Ingest pipeline status."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from ingest.backlog import stage_backlog
from ingest.lag_monitor import LagMonitor
from ingest.stream_stats import throughput, top_failures
from jisik.errors import Unavailable

from ..deps import SessionDep, SettingsDep, TenantDep, require_scope
from ..schemas.common import Envelope

router = APIRouter(prefix="/ingest", tags=["ingest"])


@router.get("/lag", response_model=Envelope[dict[str, Any]], dependencies=[require_scope("read")])
async def lag(tenant: TenantDep, settings: SettingsDep, session: SessionDep, request: Request) -> dict[str, Any]:
    """Work waiting per pipeline stage: the caller's unfinished documents in that stage, or the stage's
    unconsumed events (Kafka consumer lag) when those are more; ``unfinished_documents`` is the
    caller's total. The documents come from the database, so work a broker lost still counts.
    ``consumer_groups`` has each stage's group: lag in records and in seconds (estimated from offset
    samples), per partition, and a status (OK, WARN, STALL, STOP) from the recent samples."""
    documents = await stage_backlog(session, tenant.id)
    monitor: LagMonitor = request.app.state.lag_monitor
    try:
        await monitor.sample(settings)
    except Unavailable:
        pass
    groups = monitor.report()
    data: dict[str, Any] = {
        stage: max(count, groups.get(stage, {}).get("lag_records", 0)) for stage, count in documents.items()
    }
    return {
        "success": True,
        "data": {**data, "unfinished_documents": sum(documents.values()), "consumer_groups": groups},
    }


@router.get("/stream", response_model=Envelope[dict[str, Any]], dependencies=[require_scope("read")])
async def stream(
    tenant: TenantDep,
    session: SessionDep,
    window_s: Annotated[int, Query(ge=60, le=7 * 86400, description="Seconds of history")] = 3600,
    buckets: Annotated[int, Query(ge=1, le=120, description="Slices of the history")] = 12,
) -> dict[str, Any]:
    """The caller's finished documents per time slice (completed, failed) and the top failure reasons."""
    return {
        "success": True,
        "data": {
            "throughput": await throughput(session, tenant.id, window_s=window_s, buckets=buckets),
            "top_failures": await top_failures(session, tenant.id, limit=5),
        },
    }
