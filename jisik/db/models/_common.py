"""Column helpers shared by the table models."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


def id_field() -> Any:
    return Field(default_factory=new_id, primary_key=True, max_length=36)


def tenant_field() -> Any:
    return Field(foreign_key="tenants.id", index=True, max_length=36, ondelete="CASCADE")


def timestamp_field(*, onupdate: bool = False) -> Any:
    column = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow if onupdate else None)
    return Field(default_factory=utcnow, sa_column=column)


def json_field(*, default: Any = dict) -> Any:
    return Field(default_factory=default, sa_column=Column(JSONB, nullable=False))
