"""The audit trail: who changed what, when, in which request, with a masked before/after diff.

``audit_context`` holds one row per transaction a request (or a worker acting as someone) writes in:
the actor and the request id, keyed by the transaction id. ``audit_events`` is maintained by the
cdc audit processor alone; it joins each committed row change with its transaction's context row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Index
from sqlmodel import Field, SQLModel

from ._common import id_field, json_field, timestamp_field

__all__ = ["SYSTEM_ACTOR", "AuditContext", "AuditEvent"]

# The actor of a change made outside any authenticated request (workers, CLI, SQL).
SYSTEM_ACTOR = "system"


class AuditContext(SQLModel, table=True):
    __tablename__ = "audit_context"
    __table_args__ = (Index("ix_audit_context_xid32", "xid32"),)

    # pg_current_xact_id() of the writing transaction (64-bit, epoch included).
    xid: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    # The same id as logical decoding reports it (32 bits): what change events carry as txId.
    xid32: int = Field(sa_column=Column(BigInteger, nullable=False))
    actor: str = Field(max_length=255)
    request_id: str = Field(default="", max_length=128)
    created_at: datetime = timestamp_field()


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_entity", "tenant_id", "entity_type", "entity_id", "occurred_at"),
        Index("ix_audit_events_tenant_time", "tenant_id", "occurred_at"),
        Index("ix_audit_events_actor", "tenant_id", "actor", "occurred_at"),
        Index("ix_audit_events_knowledge_base", "tenant_id", "knowledge_base_id", "occurred_at"),
        Index("ix_audit_events_document", "tenant_id", "document_id", "occurred_at"),
    )

    id: str = id_field()
    # Table, LSN and row id of the change: a change delivered twice is stored once.
    event_key: str = Field(max_length=255, unique=True)
    tenant_id: str = Field(max_length=36)
    entity_type: str = Field(max_length=64)
    entity_id: str = Field(max_length=255)
    action: str = Field(max_length=16)
    # The knowledge base and document the entity belongs to ("" when none): their timelines include it.
    knowledge_base_id: str = Field(default="", max_length=36)
    document_id: str = Field(default="", max_length=36)
    actor: str = Field(max_length=255)
    request_id: str = Field(default="", max_length=128)
    tx_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    occurred_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    # column -> {"before": ..., "after": ...}, secrets and document text masked.
    changes: dict[str, Any] = json_field()
    created_at: datetime = timestamp_field()
