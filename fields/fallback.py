"""Readings for fields whose label OCR could not read, found by the value's shape alone (scans only).

Two kinds, in this order:

* arithmetic: where a ``sum`` or ``ratio`` rule lacks exactly one amount, the number the rule predicts
  is looked for among the page's numbers; a match is confirmed by the rule itself, so it may be
  auto-approved like a labelled reading the rule confirms.
* identifiers: checksum-valid numbers of an identifier type (사업자등록번호 and the like) that no label
  claimed go, in reading order, to that type's unfilled fields in schema order. The checksum says the
  number was read right but not whose number it is, so these readings are marked ``placed`` and always
  go to a person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from jisik.identifiers import Verdict

from .checks import identifier_verdict
from .layout import Layout, Segment
from .normalize import find_value
from .schema import FieldSchema, FieldType, RuleSpec

__all__ = ["PLACED_CONFIDENCE", "Placement", "shape_fallbacks"]

PLACED_CONFIDENCE = 0.85  # below any sensible review threshold: a person confirms whose number it is
_RULE_CONFIRMED = 0.9
_NUMERIC = (FieldType.AMOUNT, FieldType.NUMBER)
_IDENTIFIERS = (FieldType.BRN, FieldType.CORP_NO)


@dataclass(frozen=True)
class Placement:
    raw: str
    normalized: str
    segment: Segment
    start: int
    end: int
    confidence: float
    placed: bool  # only placed by its shape (True) rather than confirmed by a rule


# A 사업자등록번호 as written (3-2-5 digits); a leading 0 is a phone number, never a tax office code.
_BRN_SHAPE = re.compile(r"[1-9]\d{2}\D{0,3}\d{2}\D{0,3}\d{5}")
# A run of digits with the separators and stray spaces OCR leaves inside a written amount.
_DIGITS = re.compile(r"\d(?:[\d,.]|\s(?=[\d,.]))*")


def _predicted(rule: RuleSpec, values: dict[str, Decimal]) -> tuple[str, Decimal] | None:
    """The one missing field of a sum or ratio rule and the value the rule gives it."""
    missing = [name for name in rule.fields if name not in values]
    if rule.kind not in ("sum", "ratio") or len(missing) != 1:
        return None
    head, *parts = rule.fields
    name = missing[0]
    if rule.kind == "sum":
        known = sum((values[part] for part in parts if part != name), Decimal(0))
        return name, (known if name == head else values[head] - known)
    if name != head:  # a truncated ratio cannot be inverted to one value
        return None
    return name, (values[parts[0]] * Decimal(str(rule.ratio))).quantize(Decimal(1), rounding=ROUND_DOWN)


def _numbers(segment: Segment) -> list[tuple[int, int, Decimal]]:
    found = []
    for match in _DIGITS.finditer(segment.text):
        digits = "".join(char for char in match.group(0) if char.isdigit())
        if digits:
            found.append((match.start(), match.end(), Decimal(int(digits))))
    return found


def _segments(layout: Layout) -> list[Segment]:
    return [segment for row in layout.rows for segment in row.segments if segment.ocr]


def _arithmetic(layout: Layout, schema: FieldSchema, known: dict[str, str]) -> dict[str, Placement]:
    types = {spec.name: spec.type for spec in schema.fields}
    rules = [rule for rule in schema.rules if all(types.get(name) in _NUMERIC for name in rule.fields)]
    values = {name: Decimal(value) for name, value in known.items() if types.get(name) in _NUMERIC}
    added: dict[str, Placement] = {}
    progress = True
    while progress:
        progress = False
        for rule in rules:
            prediction = _predicted(rule, values)
            if prediction is None or prediction[1] <= 0:
                continue
            name, wanted = prediction
            match = next(((segment, start, end) for segment in _segments(layout)
                          for start, end, number in _numbers(segment) if number == wanted), None)
            if match is None:
                continue
            segment, start, end = match
            values[name] = wanted
            added[name] = Placement(segment.text[start:end].strip(), str(wanted), segment, start, end,
                                    _RULE_CONFIRMED, placed=False)
            progress = True
    return added


def _identifiers(layout: Layout, schema: FieldSchema, claimed: set[str], filled: set[str]) -> dict[str, Placement]:
    added: dict[str, Placement] = {}
    for kind in _IDENTIFIERS:
        unfilled = [spec for spec in schema.fields if spec.type == kind and spec.name not in filled]
        if not unfilled:
            continue
        numbers = []
        for segment in _segments(layout):
            rest = segment.text
            offset = 0
            while (value := find_value(unfilled[0], rest)) is not None:
                at = offset + rest.find(value.raw)
                shaped = kind != FieldType.BRN or _BRN_SHAPE.fullmatch(value.raw.strip()) is not None
                if shaped and value.normalized not in claimed and identifier_verdict(kind, value.normalized) is Verdict.VALID:
                    numbers.append(Placement(value.raw, value.normalized, segment, at, at + len(value.raw),
                                             PLACED_CONFIDENCE, placed=True))
                offset = at + len(value.raw)
                rest = segment.text[offset:]
        for spec, reading in zip(unfilled, numbers, strict=False):
            added[spec.name] = reading
            claimed.add(reading.normalized)
    return added


def shape_fallbacks(layout: Layout, schema: FieldSchema, known: dict[str, str]) -> dict[str, Placement]:
    """Readings for the fields not in ``known`` (name -> normalised value of the labelled readings)."""
    if not _segments(layout):
        return {}
    by_rule = _arithmetic(layout, schema, known)
    placed = _identifiers(layout, schema, set(known.values()), set(known) | set(by_rule))
    return {**by_rule, **placed}
