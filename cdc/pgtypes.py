"""PostgreSQL text-form values to JSON-ready Python values, chosen by type OID.

Both pgoutput and the initial snapshot (``column::text``) produce the type's text output, so one
conversion serves both. Timestamps become ISO-8601 strings (Debezium's ZonedTimestamp); unknown
types stay strings.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["convert", "parse_array"]

_BOOL = {16}
_INTS = {20, 21, 23, 26}
_FLOATS = {700, 701}
_JSON = {114, 3802}
_TIMESTAMPS = {1114, 1184}
# Array type OID -> element type OID.
_ARRAYS = {
    1000: 16, 1005: 21, 1007: 23, 1016: 20, 1021: 700, 1022: 701, 1009: 25, 1015: 1043, 1014: 1042,
    2951: 2950, 199: 114, 3807: 3802,
}


def _timestamp(text: str) -> str:
    """'2026-11-21 11:55:28.1+00' -> '2026-11-21T11:55:28.1+00:00'."""
    value = text.replace(" ", "T", 1)
    sign_at = max(value.rfind("+"), value.rfind("-", 19))
    if sign_at > 18 and len(value) - sign_at == 3:
        value += ":00"
    return value


def _scalar(type_oid: int) -> Callable[[str], Any]:
    if type_oid in _BOOL:
        return lambda text: text == "t"
    if type_oid in _INTS:
        return int
    if type_oid in _FLOATS:
        return float
    if type_oid in _JSON:
        return json.loads
    if type_oid in _TIMESTAMPS:
        return _timestamp
    return str


def parse_array(text: str) -> list[str | None]:
    """Elements of a one-dimensional array literal such as ``{a,"b c",NULL}``, unconverted."""
    if not (text.startswith("{") and text.endswith("}")):
        raise ValueError("not an array literal")
    body = text[1:-1]
    items: list[str | None] = []
    if not body:
        return items
    position = 0
    while position <= len(body):
        if position < len(body) and body[position] == '"':
            position += 1
            chars: list[str] = []
            while body[position] != '"':
                if body[position] == "\\":
                    position += 1
                chars.append(body[position])
                position += 1
            items.append("".join(chars))
            position += 1
        else:
            end = body.find(",", position)
            end = len(body) if end < 0 else end
            raw = body[position:end]
            items.append(None if raw == "NULL" else raw)
            position = end
        position += 1  # the comma
    return items


def convert(type_oid: int, text: str | None) -> Any:
    """The JSON-ready value of one column."""
    if text is None:
        return None
    element = _ARRAYS.get(type_oid)
    if element is not None:
        parse = _scalar(element)
        return [None if item is None else parse(item) for item in parse_array(text)]
    return _scalar(type_oid)(text)
