"""Decoder for PostgreSQL's ``pgoutput`` logical replication protocol, version 1.

Each call to :func:`decode` turns one message (one row of ``pg_logical_slot_peek_binary_changes``)
into a typed value. Column values stay in PostgreSQL's text form; :mod:`cdc.pgtypes` converts them.
Message layout: https://www.postgresql.org/docs/current/protocol-logicalrep-message-formats.html
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

__all__ = [
    "UNCHANGED_TOAST",
    "Begin",
    "Column",
    "Commit",
    "Delete",
    "Insert",
    "Message",
    "Relation",
    "Skipped",
    "Truncate",
    "TupleValues",
    "Update",
    "decode",
]

_PG_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


class _UnchangedToast:
    """Marker for a TOASTed value an UPDATE did not change (pgoutput does not resend it)."""

    def __repr__(self) -> str:
        return "UNCHANGED_TOAST"


UNCHANGED_TOAST = _UnchangedToast()

# Column values in text form; None is SQL NULL.
TupleValues = tuple["str | None | _UnchangedToast", ...]


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type_oid: int
    is_key: bool


@dataclass(frozen=True, slots=True)
class Begin:
    final_lsn: int
    commit_time: datetime
    xid: int


@dataclass(frozen=True, slots=True)
class Commit:
    commit_lsn: int
    end_lsn: int
    commit_time: datetime


@dataclass(frozen=True, slots=True)
class Relation:
    relation_id: int
    schema: str
    table: str
    replica_identity: str
    columns: tuple[Column, ...]


@dataclass(frozen=True, slots=True)
class Insert:
    relation_id: int
    new: TupleValues


@dataclass(frozen=True, slots=True)
class Update:
    relation_id: int
    # The old row: every column under REPLICA IDENTITY FULL, only the key otherwise, None when the key is unchanged.
    old: TupleValues | None
    new: TupleValues


@dataclass(frozen=True, slots=True)
class Delete:
    relation_id: int
    old: TupleValues


@dataclass(frozen=True, slots=True)
class Truncate:
    relation_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Skipped:
    """A message the relay does not act on (Type, Origin, logical decoding messages)."""

    kind: str


Message = Begin | Commit | Relation | Insert | Update | Delete | Truncate | Skipped


class _Reader:
    __slots__ = ("_data", "_pos")

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0

    def _take(self, size: int) -> bytes:
        end = self._pos + size
        if end > len(self._data):
            raise ValueError("truncated pgoutput message")
        chunk = self._data[self._pos:end]
        self._pos = end
        return chunk

    def byte(self) -> str:
        return self._take(1).decode("ascii")

    def int8(self) -> int:
        return int(self._take(1)[0])

    def int16(self) -> int:
        return int(struct.unpack("!h", self._take(2))[0])

    def int32(self) -> int:
        return int(struct.unpack("!i", self._take(4))[0])

    def uint32(self) -> int:
        return int(struct.unpack("!I", self._take(4))[0])

    def int64(self) -> int:
        return int(struct.unpack("!q", self._take(8))[0])

    def timestamp(self) -> datetime:
        return _PG_EPOCH + timedelta(microseconds=self.int64())

    def string(self) -> str:
        end = self._data.index(b"\x00", self._pos)
        value = self._data[self._pos:end].decode("utf-8")
        self._pos = end + 1
        return value

    def tuple_values(self) -> TupleValues:
        values: list[str | None | _UnchangedToast] = []
        for _ in range(self.int16()):
            kind = self.byte()
            if kind == "n":
                values.append(None)
            elif kind == "u":
                values.append(UNCHANGED_TOAST)
            elif kind == "t":
                values.append(self._take(self.int32()).decode("utf-8"))
            else:
                raise ValueError(f"unsupported tuple value kind {kind!r} (binary mode is not used)")
        return tuple(values)


def _relation(reader: _Reader) -> Relation:
    relation_id = reader.uint32()
    schema = reader.string()
    table = reader.string()
    identity = reader.byte()
    columns = []
    for _ in range(reader.int16()):
        flags = reader.int8()
        name = reader.string()
        type_oid = reader.uint32()
        reader.int32()  # type modifier
        columns.append(Column(name=name, type_oid=type_oid, is_key=bool(flags & 1)))
    return Relation(relation_id, schema, table, identity, tuple(columns))


def _update(reader: _Reader) -> Update:
    relation_id = reader.uint32()
    kind = reader.byte()
    old = None
    if kind in ("K", "O"):
        old = reader.tuple_values()
        kind = reader.byte()
    if kind != "N":
        raise ValueError(f"update without a new tuple (got {kind!r})")
    return Update(relation_id, old, reader.tuple_values())


def decode(data: bytes) -> Message:
    """One pgoutput message; ValueError when it is malformed."""
    reader = _Reader(data)
    kind = reader.byte()
    if kind == "B":
        return Begin(final_lsn=reader.int64(), commit_time=reader.timestamp(), xid=reader.uint32())
    if kind == "C":
        reader.int8()  # flags, unused
        return Commit(commit_lsn=reader.int64(), end_lsn=reader.int64(), commit_time=reader.timestamp())
    if kind == "R":
        return _relation(reader)
    if kind == "I":
        relation_id = reader.uint32()
        if reader.byte() != "N":
            raise ValueError("insert without a new tuple")
        return Insert(relation_id, reader.tuple_values())
    if kind == "U":
        return _update(reader)
    if kind == "D":
        relation_id = reader.uint32()
        if reader.byte() not in ("K", "O"):
            raise ValueError("delete without an old tuple")
        return Delete(relation_id, reader.tuple_values())
    if kind == "T":
        count = reader.int32()
        reader.int8()  # options (CASCADE / RESTART IDENTITY)
        return Truncate(tuple(reader.uint32() for _ in range(count)))
    if kind in ("Y", "O", "M"):
        return Skipped(kind)
    raise ValueError(f"unknown pgoutput message type {kind!r}")
