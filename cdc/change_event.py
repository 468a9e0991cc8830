"""Reading Debezium envelopes back: the shape the processors consume (from jisik's relay or Debezium Connect)."""

from __future__ import annotations

import json
from typing import Any, Literal

from aiokafka import ConsumerRecord
from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ChangeEvent", "ChangeSource", "parse_change"]


class ChangeSource(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)

    db: str = ""
    schema_: str = Field("public", alias="schema")
    table: str
    lsn: int | None = None
    txId: int | None = None  # noqa: N815 (Debezium's field name)
    ts_ms: int = 0


class ChangeEvent(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    source: ChangeSource
    op: Literal["c", "u", "d", "r", "t"]
    ts_ms: int = 0

    @property
    def row(self) -> dict[str, Any]:
        """The row as it is after the change (as it was, for a delete)."""
        return self.after if self.after is not None else (self.before or {})

    @property
    def identity(self) -> str:
        """Stable across re-deliveries of the same change: the table, the change's LSN and the row id."""
        return f"{self.source.db}/{self.source.table}/{self.source.lsn}/{self.row.get('id')}"


def parse_change(record: ConsumerRecord[bytes, bytes]) -> ChangeEvent | None:
    """The change a record carries; None for a tombstone. ValueError when it is not an envelope."""
    if record.value is None:
        return None
    data = json.loads(record.value)
    if isinstance(data, dict) and "payload" in data and "schema" in data:
        data = data["payload"]  # Debezium's JSON converter with schemas enabled
    return ChangeEvent.model_validate(data)
