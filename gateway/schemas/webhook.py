"""Webhook endpoints, their delivery log and replay requests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from .common import Strict

__all__ = [
    "AttemptPublic",
    "DeliveryPublic",
    "EndpointCreate",
    "EndpointCreated",
    "EndpointPublic",
    "EndpointUpdate",
    "EventTypePublic",
    "ReplayRange",
    "ReplayResult",
]


class EndpointCreate(Strict):
    url: str = Field(max_length=4096, description="http(s) URL; internal addresses need JISIK_EGRESS_ALLOW_LIST")
    event_types: list[str] = Field(max_length=32, description="Event types to deliver (GET /webhooks/event-types)")
    description: str = Field("", max_length=500)
    enabled: bool = True


class EndpointUpdate(Strict):
    url: str | None = Field(None, max_length=4096)
    event_types: list[str] | None = Field(None, max_length=32)
    description: str | None = Field(None, max_length=500)
    enabled: bool | None = None


class EndpointPublic(BaseModel):
    id: str
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str = Field(description="Why jisik disabled the endpoint (410 Gone, failing for days)")
    failing_since: datetime | None
    secret_prefix: str = Field(description="First characters of the signing secret, to tell secrets apart")
    previous_secret_expires_at: datetime | None = Field(
        description="Until when the previous secret still signs (after a rotation)"
    )
    created_at: datetime
    updated_at: datetime


class EndpointCreated(EndpointPublic):
    secret: str = Field(description="The signing secret (whsec_...). Shown only now; store it.")


class AttemptPublic(BaseModel):
    attempted_at: datetime
    result: str = Field(description="succeeded, failed, timeout or error")
    response_code: int | None
    latency_ms: float
    response_body: str = Field(description="First bytes of the receiver's answer")
    error: str


class DeliveryPublic(BaseModel):
    id: str
    event_id: str = Field(description="The webhook-id header, the same on every retry and replay")
    event_type: str
    status: str = Field(description="pending, succeeded or failed (given up)")
    attempts: int
    next_attempt_at: datetime
    last_attempt_at: datetime | None
    last_response_code: int | None
    created_at: datetime
    payload: dict[str, Any]
    attempt_log: list[AttemptPublic]


class ReplayRange(Strict):
    since: datetime
    until: datetime
    only_failed: bool = Field(True, description="Only given-up deliveries; false also resends delivered ones")


class ReplayResult(BaseModel):
    queued: int


class EventTypePublic(BaseModel):
    type: str
    version: int
    description: str
    schema_: dict[str, Any] = Field(alias="schema", serialization_alias="schema")
