"""Turns a stream of pgoutput messages into committed transactions of typed row changes.

Only committed transactions ever leave :class:`TransactionAssembler`: pgoutput sends a
transaction's changes at its commit, and a rolled-back transaction is never sent at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from . import pgoutput
from .pgtypes import convert

__all__ = ["Op", "RowChange", "Transaction", "TransactionAssembler", "row_from_values"]

Op = Literal["c", "u", "d", "r", "t"]


@dataclass(frozen=True, slots=True)
class RowChange:
    """One row's change with JSON-ready values (excluded columns already removed)."""

    schema: str
    table: str
    op: Op
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    lsn: int


@dataclass(slots=True)
class Transaction:
    xid: int
    commit_time: datetime
    end_lsn: int = 0
    changes: list[RowChange] = field(default_factory=list)


def row_from_values(
    columns: tuple[pgoutput.Column, ...],
    values: pgoutput.TupleValues,
    excluded: frozenset[str],
    fallback: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Column name -> converted value. Unchanged TOAST values are taken from ``fallback`` (the old row)."""
    row: dict[str, Any] = {}
    for column, value in zip(columns, values, strict=True):
        if column.name in excluded:
            continue
        if value is pgoutput.UNCHANGED_TOAST:
            row[column.name] = (fallback or {}).get(column.name)
        else:
            row[column.name] = convert(column.type_oid, value)  # type: ignore[arg-type]  # UNCHANGED_TOAST is ruled out above
    return row


class TransactionAssembler:
    """Feed it ``(lsn, message bytes)`` in slot order; it returns each transaction when its Commit arrives.

    :param excluded_columns: ``table.column`` names that never appear in a change.
    """

    def __init__(self, excluded_columns: frozenset[str] = frozenset()) -> None:
        self._relations: dict[int, pgoutput.Relation] = {}
        self._excluded: dict[str, frozenset[str]] = {}
        for item in excluded_columns:
            table, _, column = item.partition(".")
            self._excluded[table] = self._excluded.get(table, frozenset()) | {column}
        self._current: Transaction | None = None

    def feed(self, lsn: int, data: bytes) -> Transaction | None:
        message = pgoutput.decode(data)
        if isinstance(message, pgoutput.Relation):
            self._relations[message.relation_id] = message
        elif isinstance(message, pgoutput.Begin):
            self._current = Transaction(xid=message.xid, commit_time=message.commit_time)
        elif isinstance(message, pgoutput.Commit):
            done, self._current = self._current, None
            if done is not None:
                done.end_lsn = message.end_lsn
            return done
        elif isinstance(message, pgoutput.Insert | pgoutput.Update | pgoutput.Delete | pgoutput.Truncate):
            if self._current is None:
                raise ValueError("row change outside a transaction")
            self._current.changes.extend(self._changes(message, lsn))
        return None

    def _changes(
        self, message: pgoutput.Insert | pgoutput.Update | pgoutput.Delete | pgoutput.Truncate, lsn: int
    ) -> list[RowChange]:
        if isinstance(message, pgoutput.Truncate):
            return [
                RowChange(relation.schema, relation.table, "t", None, None, lsn)
                for relation in (self._relation(rid) for rid in message.relation_ids)
            ]
        relation = self._relation(message.relation_id)
        excluded = self._excluded.get(relation.table, frozenset())

        def row(values: pgoutput.TupleValues | None, fallback: Mapping[str, Any] | None = None) -> Any:
            return None if values is None else row_from_values(relation.columns, values, excluded, fallback)

        if isinstance(message, pgoutput.Insert):
            return [RowChange(relation.schema, relation.table, "c", None, row(message.new), lsn)]
        if isinstance(message, pgoutput.Update):
            before = row(message.old)
            return [RowChange(relation.schema, relation.table, "u", before, row(message.new, before), lsn)]
        return [RowChange(relation.schema, relation.table, "d", row(message.old), None, lsn)]

    def _relation(self, relation_id: int) -> pgoutput.Relation:
        try:
            return self._relations[relation_id]
        except KeyError:
            raise ValueError(f"change for relation {relation_id} before its Relation message") from None
