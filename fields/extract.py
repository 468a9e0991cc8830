"""Key-value extraction anchored on the schema's labels.

Every label and alias of every field is looked for in every segment; where labels overlap, the longest
wins (``공급받는자 등록번호`` is not a ``등록번호`` of the supplier). The value is read, in this order, from the
rest of the label's segment (``등록번호: 123-45-67890``), the next segment of the row (the cell to the
right), or the segment below that lines up with the label (a header cell over its value). OCR text gets
a fuzzy label match (one or two edits, spaces ignored) when no exact one exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from jisik.identifiers import Verdict

from .checks import identifier_verdict
from .layout import Box, Layout, Segment
from .normalize import Value, find_value
from .schema import FieldSchema, FieldSpec, FieldType

__all__ = ["Extracted", "extract_fields"]

# How sure a reading is, by where the value was found and how the label matched.
_PLACE_CONFIDENCE = {"inline": 1.0, "right": 0.98, "below": 0.95}
_FUZZY_LABEL = 0.93
_TEXT_VALUE = 0.97  # free text has no format to confirm it
_VERDICT_CONFIDENCE = {Verdict.VALID: 1.0, Verdict.UNVERIFIABLE: 0.95, Verdict.INVALID: 0.6}
_MAX_ROWS_BELOW = 2


@dataclass
class Extracted:
    name: str
    value: str
    normalized: str
    confidence: float
    page: int | None
    bbox: Box | None
    source_text: str
    note: str = ""
    ocr: bool = False


@dataclass(frozen=True)
class _Anchor:
    field: FieldSpec
    row: int
    segment: int
    start: int
    end: int
    fuzzy: bool


def _compact(text: str) -> tuple[str, list[int]]:
    """Text without spaces, lower-cased, with the original offset of each kept character."""
    kept = [(i, c) for i, c in enumerate(text.casefold()) if not c.isspace()]
    return "".join(c for _, c in kept), [i for i, _ in kept]


def _find_exact(compact: str, offsets: list[int], needle: str, taken: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The first occurrence of ``needle`` that no longer label has claimed."""
    at = compact.find(needle)
    while at >= 0 and needle:
        span = offsets[at], offsets[at + len(needle) - 1] + 1
        if not any(span[0] < end and span[1] > begin for begin, end in taken):
            return span
        at = compact.find(needle, at + 1)
    return None


def _edit_distance(a: str, b: str, limit: int) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _find_fuzzy(segment_text: str, label: str) -> tuple[int, int] | None:
    compact, offsets = _compact(segment_text)
    needle, _ = _compact(label)
    if len(needle) == 2 and len(compact) == 2:  # a short label alone in its cell: one misread syllable
        return (offsets[0], offsets[-1] + 1) if _edit_distance(compact, needle, 1) <= 1 else None
    if len(needle) < 3 or len(set(needle) & set(compact)) < len(set(needle)) / 2:
        return None
    limit = 1 if len(needle) < 7 else 2
    for size in (len(needle), len(needle) - 1, len(needle) + 1):
        for at in range(0, max(len(compact) - size + 1, 0)):
            if _edit_distance(compact[at:at + size], needle, limit) <= limit:
                return offsets[at], offsets[at + size - 1] + 1
    return None


def _anchors(layout: Layout, schema: FieldSchema) -> list[_Anchor]:
    labels = sorted(((label, spec) for spec in schema.fields for label in spec.labels()),
                    key=lambda item: len(item[0]), reverse=True)
    needles = [_compact(label)[0] for label, _ in labels]
    anchors: list[_Anchor] = []
    found_fields: set[str] = set()
    for r, row in enumerate(layout.rows):
        for s, segment in enumerate(row.segments):
            taken: list[tuple[int, int]] = []
            compact, offsets = _compact(segment.text)
            for (_label, spec), needle in zip(labels, needles, strict=True):
                if needle not in compact:
                    continue
                span = _find_exact(compact, offsets, needle, taken)
                if span is None:
                    continue
                taken.append(span)
                anchors.append(_Anchor(spec, r, s, span[0], span[1], False))
                found_fields.add(spec.name)
    missing = [(label, spec) for label, spec in labels if spec.name not in found_fields]
    if missing and any(segment.ocr for row in layout.rows for segment in row.segments):
        anchors.extend(_fuzzy_anchors(layout, missing, anchors))
    anchors.sort(key=lambda a: (a.row, a.segment, a.start))
    return anchors


def _fuzzy_anchors(layout: Layout, missing: list[tuple[str, FieldSpec]], exact: list[_Anchor]) -> list[_Anchor]:
    found: list[_Anchor] = []
    done: set[str] = set()
    for label, spec in missing:
        if spec.name in done:
            continue
        for r, row in enumerate(layout.rows):
            for s, segment in enumerate(row.segments):
                if not segment.ocr:
                    continue
                span = _find_fuzzy(segment.text, label)
                if span is None or any(a.row == r and a.segment == s and span[0] < a.end and span[1] > a.start
                                       for a in [*exact, *found]):
                    continue
                found.append(_Anchor(spec, r, s, span[0], span[1], True))
                done.add(spec.name)
                break
            if spec.name in done:
                break
    return found


def _value_text(segment: Segment, start: int, stop: int) -> tuple[str, int]:
    """The text of ``segment`` from ``start`` to ``stop`` without leading separators, and its offset."""
    text = segment.text[start:stop]
    stripped = text.lstrip(" :：|-=·.)]")
    return stripped.rstrip(), start + len(text) - len(stripped)


def _reading(spec: FieldSpec, segment: Segment, start: int, stop: int, place: str) -> tuple[Value, float,
                                                                                          tuple[int, int]] | None:
    text, offset = _value_text(segment, start, stop)
    if not text:
        return None
    value = find_value(spec, text)
    if value is None:
        return None
    at = text.find(value.raw)
    span = (offset + max(at, 0), offset + max(at, 0) + len(value.raw))
    confidence = _PLACE_CONFIDENCE[place] * segment.confidence_of(*span)
    if spec.type in (FieldType.TEXT, FieldType.REGEX):
        confidence *= _TEXT_VALUE
    verdict = identifier_verdict(spec.type, value.normalized)
    if verdict is not None:
        confidence *= _VERDICT_CONFIDENCE[verdict]
    if spec.type == FieldType.DATE and "ambiguous" in value.note:
        confidence *= 0.8
    return value, confidence, span


def _segment_below(layout: Layout, anchor: _Anchor) -> tuple[int, int] | None:
    label = layout.rows[anchor.row].segments[anchor.segment]
    left, right = label.span
    for r in range(anchor.row + 1, min(anchor.row + 1 + _MAX_ROWS_BELOW, len(layout.rows))):
        best, best_overlap = None, 0.0
        for s, segment in enumerate(layout.rows[r].segments):
            overlap = min(right, segment.span[1]) - max(left, segment.span[0])
            if overlap > best_overlap:
                best, best_overlap = s, overlap
        if best is not None:
            return r, best
    return None


def _read_anchor(layout: Layout, anchor: _Anchor, next_starts: dict[tuple[int, int], list[int]]) -> Extracted | None:
    row = layout.rows[anchor.row]
    segment = row.segments[anchor.segment]
    stops = [s for s in next_starts.get((anchor.row, anchor.segment), []) if s >= anchor.end]
    places: list[tuple[Segment, int, int, str]] = [
        (segment, anchor.end, min(stops, default=len(segment.text)), "inline")]
    if anchor.segment + 1 < len(row.segments):
        right = row.segments[anchor.segment + 1]
        right_stops = next_starts.get((anchor.row, anchor.segment + 1), [])
        places.append((right, 0, min(right_stops, default=len(right.text)), "right"))
    below = _segment_below(layout, anchor)
    if below is not None:
        cell = layout.rows[below[0]].segments[below[1]]
        below_stops = next_starts.get(below, [])
        if not below_stops or min(below_stops) > 0:
            places.append((cell, 0, min(below_stops, default=len(cell.text)), "below"))
    for place_segment, start, stop, place in places:
        reading = _reading(anchor.field, place_segment, start, stop, place)
        if reading is None:
            continue
        value, confidence, span = reading
        if anchor.fuzzy:
            confidence *= _FUZZY_LABEL
        return Extracted(
            name=anchor.field.name, value=value.raw, normalized=value.normalized, confidence=round(confidence, 4),
            page=place_segment.page, bbox=place_segment.box_of(*span), source_text=place_segment.text[:300],
            note=value.note, ocr=place_segment.ocr,
        )
    return None


def extract_fields(layout: Layout, schema: FieldSchema) -> dict[str, Extracted]:
    """The best reading of each schema field found in the layout (fields not found are absent).

    Where a field's label occurs more than once with different values, the first reading (in reading
    order) is kept and its confidence lowered, so a person looks at it.
    """
    anchors = _anchors(layout, schema)
    next_starts: dict[tuple[int, int], list[int]] = {}
    for anchor in anchors:
        next_starts.setdefault((anchor.row, anchor.segment), []).append(anchor.start)
    found: dict[str, Extracted] = {}
    for anchor in anchors:
        reading = _read_anchor(layout, anchor, next_starts)
        if reading is None:
            continue
        first = found.get(reading.name)
        if first is None:
            found[reading.name] = reading
        elif first.normalized != reading.normalized and not anchor.fuzzy:
            first.confidence = round(min(first.confidence, 0.75), 4)
            first.note = "; ".join(filter(None, [first.note, "another reading differs"]))
    return found
