"""The transactional outbox. Rows are written in the same transaction as the change they announce;
cdc/ reads them through logical replication and publishes them to Kafka (Debezium outbox pattern)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from ._common import id_field, json_field, timestamp_field


class OutboxEvent(SQLModel, table=True):
    __tablename__ = "outbox"

    id: str = id_field()
    tenant_id: str = Field(index=True, max_length=36)
    aggregate_type: str = Field(max_length=64)
    aggregate_id: str = Field(max_length=64)
    # Kafka topic the event goes to.
    event_type: str = Field(max_length=128)
    payload: dict[str, Any] = json_field()
    # W3C trace context of the transaction that wrote the event.
    headers: dict[str, Any] = json_field()
    created_at: datetime = timestamp_field()
