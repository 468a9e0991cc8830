"""Webhooks: a tenant's endpoints, one message per (event, endpoint) to deliver, and every attempt made.

A message is its own outbox row: it is written in the transaction of the change it announces
(:func:`jisik.webhooks.stage_webhook_event`) and the delivery worker claims due rows from this table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, Index, text
from sqlalchemy.dialects.postgresql import ARRAY, VARCHAR
from sqlmodel import Field, SQLModel

from ._common import id_field, json_field, tenant_field, timestamp_field


def _optional_timestamp() -> Any:
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))


class WebhookEndpoint(SQLModel, table=True):
    __tablename__ = "webhook_endpoints"

    id: str = id_field()
    tenant_id: str = tenant_field()
    url: str = Field(max_length=2048)
    description: str = Field(default="", max_length=500)
    event_types: list[str] = Field(default_factory=list, sa_column=Column(ARRAY(VARCHAR(64)), nullable=False))
    enabled: bool = True
    # Why the endpoint was switched off by jisik (410 Gone, failing for days); empty when a person did it.
    disabled_reason: str = Field(default="", max_length=500)
    # Signing secrets (whsec_ + base64), sealed with the operator's key (jisik.secret_box): never in clear.
    # After a rotation the previous one still signs until it expires.
    secret: str = Field(max_length=255)
    previous_secret: str = Field(default="", max_length=255)
    # The first characters of the current secret in clear, so people can tell secrets apart.
    secret_prefix: str = Field(default="", max_length=12)
    previous_secret_expires_at: datetime | None = _optional_timestamp()
    # Start of the current run of failed attempts (None while the receiver answers 2xx).
    failing_since: datetime | None = _optional_timestamp()
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field(onupdate=True)


class WebhookMessage(SQLModel, table=True):
    """One event for one endpoint. ``event_id`` is the ``webhook-id`` header, the same on every retry."""

    __tablename__ = "webhook_messages"
    __table_args__ = (
        Index("ix_webhook_messages_due", "endpoint_id", "next_attempt_at", postgresql_where=text("status = 'pending'")),
        Index("ix_webhook_messages_endpoint_created", "endpoint_id", "created_at"),
    )

    id: str = id_field()
    tenant_id: str = tenant_field()
    endpoint_id: str = Field(foreign_key="webhook_endpoints.id", max_length=36, ondelete="CASCADE")
    event_id: str = Field(max_length=40, index=True)
    event_type: str = Field(max_length=64)
    # The exact JSON body sent: {"type", "version", "timestamp", "data"}.
    payload: dict[str, Any] = json_field()
    # pending (due at next_attempt_at; a claim pushes it forward by the lease), succeeded, or failed.
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = timestamp_field()
    last_attempt_at: datetime | None = _optional_timestamp()
    last_response_code: int | None = None
    created_at: datetime = timestamp_field()


class WebhookAttempt(SQLModel, table=True):
    """One HTTP attempt of a message: outcome, latency, status code and the first bytes of the answer."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_message", "message_id", "attempted_at"),)

    id: str = id_field()
    tenant_id: str = tenant_field()
    message_id: str = Field(foreign_key="webhook_messages.id", max_length=36, ondelete="CASCADE")
    endpoint_id: str = Field(max_length=36, index=True)
    attempted_at: datetime = timestamp_field()
    # succeeded, failed (non-2xx), timeout, error (connection, blocked address ...)
    result: str = Field(max_length=16)
    response_code: int | None = None
    latency_ms: float = 0.0
    response_body: str = Field(default="", max_length=1024)
    error: str = Field(default="", max_length=500)
