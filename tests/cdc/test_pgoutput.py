"""The pgoutput decoder and text-value conversion on hand-built protocol messages."""

from __future__ import annotations

import struct

import pytest

from cdc import pgoutput
from cdc.changes import TransactionAssembler
from cdc.pgtypes import convert, parse_array

pytestmark = pytest.mark.unit


def _s(text: str) -> bytes:
    return text.encode() + b"\x00"


def _tuple(*values: str | None | bytes) -> bytes:
    out = struct.pack("!h", len(values))
    for item in values:
        if item is None:
            out += b"n"
        elif item == b"u":
            out += b"u"
        else:
            raw = item.encode() if isinstance(item, str) else item
            out += b"t" + struct.pack("!i", len(raw)) + raw
    return out


RELATION = (b"R" + struct.pack("!I", 7) + _s("public") + _s("knowledges") + b"f" + struct.pack("!h", 3)
            + b"\x01" + _s("id") + struct.pack("!Ii", 1043, -1)
            + b"\x00" + _s("chunk_count") + struct.pack("!Ii", 23, -1)
            + b"\x00" + _s("description") + struct.pack("!Ii", 25, -1))
BEGIN = b"B" + struct.pack("!qqI", 100, 86_400_000_000, 42)
COMMIT = b"C" + b"\x00" + struct.pack("!qqq", 100, 120, 86_400_000_000)


class TestDecode:
    def test_begin_commit_relation(self) -> None:
        begin = pgoutput.decode(BEGIN)
        assert isinstance(begin, pgoutput.Begin) and begin.xid == 42 and begin.commit_time.year == 2000
        commit = pgoutput.decode(COMMIT)
        assert isinstance(commit, pgoutput.Commit) and commit.end_lsn == 120
        relation = pgoutput.decode(RELATION)
        assert isinstance(relation, pgoutput.Relation) and relation.table == "knowledges"
        assert [(c.name, c.type_oid, c.is_key) for c in relation.columns] == [
            ("id", 1043, True), ("chunk_count", 23, False), ("description", 25, False)]

    def test_update_keeps_unchanged_toast_from_the_old_row(self) -> None:
        update = (b"U" + struct.pack("!I", 7) + b"O" + _tuple("k1", "1", "long text")
                  + b"N" + _tuple("k1", "2", b"u"))
        assembler = TransactionAssembler(frozenset({"knowledges.secret"}))
        for lsn, message in ((1, BEGIN), (2, RELATION), (3, update)):
            assert assembler.feed(lsn, message) is None
        txn = assembler.feed(4, COMMIT)
        assert txn is not None and txn.xid == 42 and txn.end_lsn == 120
        [change] = txn.changes
        assert change.op == "u" and change.lsn == 3
        assert change.before == {"id": "k1", "chunk_count": 1, "description": "long text"}
        assert change.after == {"id": "k1", "chunk_count": 2, "description": "long text"}

    def test_excluded_columns_never_appear(self) -> None:
        insert = b"I" + struct.pack("!I", 7) + b"N" + _tuple("k1", None, "secret")
        assembler = TransactionAssembler(frozenset({"knowledges.description"}))
        for lsn, message in ((1, BEGIN), (2, RELATION), (3, insert)):
            assembler.feed(lsn, message)
        txn = assembler.feed(4, COMMIT)
        assert txn is not None and txn.changes[0].after == {"id": "k1", "chunk_count": None}

    @pytest.mark.parametrize("data", [b"", b"Z", b"I\x00\x00", b"B\x00"])
    def test_malformed_messages_raise(self, data: bytes) -> None:
        with pytest.raises((ValueError, IndexError)):
            pgoutput.decode(data)

    def test_change_without_relation_raises(self) -> None:
        assembler = TransactionAssembler()
        assembler.feed(1, BEGIN)
        with pytest.raises(ValueError, match="Relation"):
            assembler.feed(2, b"I" + struct.pack("!I", 9) + b"N" + _tuple("x"))


class TestConvert:
    def test_scalars(self) -> None:
        assert convert(16, "t") is True and convert(16, "f") is False
        assert convert(20, "12") == 12 and convert(701, "1.5") == 1.5
        assert convert(3802, '{"a": [1]}') == {"a": [1]}
        assert convert(1184, "2026-11-21 11:55:28.5+00") == "2026-11-21T11:55:28.5+00:00"
        assert convert(1184, "2026-11-21 11:55:28+05:30") == "2026-11-21T11:55:28+05:30"
        assert convert(25, "plain") == "plain" and convert(25, None) is None

    def test_arrays(self) -> None:
        assert convert(1015, "{}") == []
        assert convert(1015, '{group:hr,"a b","q\\"x",NULL}') == ["group:hr", "a b", 'q"x', None]
        assert convert(1007, "{1,2,3}") == [1, 2, 3]
        assert parse_array('{"",x}') == ["", "x"]
        with pytest.raises(ValueError):
            parse_array("1,2")
