"""Key-value extraction anchored on the schema's labels.

Every label and alias of every field is looked for in every segment; where labels overlap, the longest
wins (``공급받는자 등록번호`` is not a ``등록번호`` of the supplier). The value is read, in this order, from the
rest of the label's segment (``등록번호: 123-45-67890``), the next segment of the row (the cell to the
right), or a segment below that lines up with the label (a header cell over its value). OCR text gets
a fuzzy label match when no exact one exists: edits are counted on Hangul jamo (OCR drops a final
consonant or swaps a vowel far more often than it loses a whole syllable), up to a quarter of the label's
jamo, spaces ignored. Fields still missing on a scan may be found by their value's shape (see
:mod:`fields.fallback`).
"""

from __future__ import annotations

from dataclasses import dataclass

from jisik.identifiers import Verdict

from .agreement import combined, confirm_by_value_read, settled_by_rules, shows_digits, unsettled
from .checks import identifier_verdict
from .extracted import Extracted
from .fallback import shape_fallbacks
from .layout import Box, Layout, Reread, Row, SecondReader, Segment, Word
from .normalize import Value, find_value, repair_ocr_date
from .ocr import clean_ocr_text, value_start
from .schema import FieldSchema, FieldSpec, FieldType

__all__ = ["Extracted", "extract_fields"]

# How sure a reading is, by where the value was found and how the label matched.
_PLACE_CONFIDENCE = {"inline": 1.0, "right": 0.98, "below": 0.95, "joined": 0.95}
_JOINED_CELLS = 3  # a date OCR split at a lost dot spans the label's cell and the next two
_FUZZY_LABEL = 0.93
_TEXT_VALUE = 0.97  # free text has no format to confirm it
_VERDICT_CONFIDENCE = {Verdict.VALID: 1.0, Verdict.UNVERIFIABLE: 0.95, Verdict.INVALID: 0.6}
_MAX_ROWS_BELOW = 2
_REPAIRED_DATE = 0.8  # the digits were re-read by guesswork: a person confirms
_LABEL_REACH = 0.4  # how far left of a number found by its shape (a page fraction) its label is looked for
_LABEL_SHOWN = 0.95


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


_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3


def _jamo(text: str) -> str:
    """Hangul syllables split into their letters (강 -> ㄱㅏㅇ as conjoining jamo); other text unchanged."""
    out = []
    for char in text:
        code = ord(char) - _HANGUL_FIRST
        if 0 <= code <= _HANGUL_LAST - _HANGUL_FIRST:
            out.append(chr(0x1100 + code // 588) + chr(0x1161 + code % 588 // 28) + (chr(0x11A7 + code % 28)
                                                                                     if code % 28 else ""))
        else:
            out.append(char)
    return "".join(out)


def _find_fuzzy(segment_text: str, label: str) -> tuple[int, int] | None:
    compact, offsets = _compact(segment_text)
    needle, _ = _compact(label)
    if len(needle) == 2 and len(compact) == 2:  # a short label alone in its cell: one misread syllable
        return (offsets[0], offsets[-1] + 1) if _edit_distance(compact, needle, 1) <= 1 else None
    if len(needle) < 3 or len(set(needle) & set(compact)) < len(set(needle)) / 2:
        return None
    letters = _jamo(needle)
    limit = max(1, len(letters) // 4)
    for size in (len(needle), len(needle) - 1, len(needle) + 1):
        for at in range(0, max(len(compact) - size + 1, 0)):
            if _edit_distance(_jamo(compact[at:at + size]), letters, limit) <= limit:
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
    if segment.ocr:
        text = clean_ocr_text(text)
    if not text:
        return None
    # Cells joined across a split are read only as a garbled date: a clean one would have parsed before.
    value = None if place == "joined" else find_value(spec, text)
    repaired = value is None and spec.type == FieldType.DATE and segment.ocr
    if repaired:
        value = repair_ocr_date(text)
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
    if repaired:
        confidence *= _REPAIRED_DATE
    return value, confidence, span


def _segments_below(layout: Layout, anchor: _Anchor) -> list[tuple[int, int]]:
    """The cells of the first row below that overlap the label, most overlapping first."""
    label = layout.rows[anchor.row].segments[anchor.segment]
    left, right = label.span
    for r in range(anchor.row + 1, min(anchor.row + 1 + _MAX_ROWS_BELOW, len(layout.rows))):
        overlaps = [(min(right, segment.span[1]) - max(left, segment.span[0]), s)
                    for s, segment in enumerate(layout.rows[r].segments)]
        cells = [(r, s) for overlap, s in sorted(overlaps, reverse=True) if overlap > 0]
        if cells:
            return cells
    return []


def _joined(row: Row, anchor: _Anchor, next_starts: dict[tuple[int, int], list[int]]) -> tuple[Segment, int, int]:
    """The label's cell and the cells after it as one segment (from the label's end to the next label):
    OCR splits a date into cells where it lost a dot or a 월."""
    cells = row.segments[anchor.segment:anchor.segment + _JOINED_CELLS]
    text = ""
    words: list[tuple[int, int, Word]] = []
    stops: list[int] = []
    for index, cell in enumerate(cells):
        offset = len(text) + (1 if text else 0)
        text += (" " if text else "") + cell.text
        words.extend((start + offset, end + offset, word) for start, end, word in cell.words)
        stops.extend(start + offset for start in next_starts.get((anchor.row, anchor.segment + index), [])
                     if offset + start >= anchor.end)
    joined = Segment(text, cells[0].page, (cells[0].span[0], cells[-1].span[1]), words, ocr=True)
    return joined, anchor.end, min(stops, default=len(text))


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
    for below in _segments_below(layout, anchor)[: 2 if segment.ocr else 1]:
        cell = layout.rows[below[0]].segments[below[1]]
        below_stops = next_starts.get(below, [])
        if not below_stops or min(below_stops) > 0:
            places.append((cell, 0, min(below_stops, default=len(cell.text)), "below"))
    if segment.ocr and anchor.field.type == FieldType.DATE and anchor.segment + 1 < len(row.segments):
        places.append((*_joined(row, anchor, next_starts), "joined"))
    for place_segment, start, stop, place in places:
        reading = _reading(anchor.field, place_segment, start, stop, place)
        if reading is not None:
            return _extracted(anchor, place_segment, reading)
    return None


def _extracted(anchor: _Anchor, segment: Segment, reading: tuple[Value, float, tuple[int, int]]) -> Extracted:
    value, confidence, span = reading
    if anchor.fuzzy:
        confidence *= _FUZZY_LABEL
    return Extracted(
        name=anchor.field.name, value=value.raw, normalized=value.normalized, confidence=round(confidence, 4),
        page=segment.page, bbox=segment.box_of(*span), source_text=segment.text[:300], note=value.note,
        ocr=segment.ocr,
    )


def _label_box(layout: Layout, anchor: _Anchor) -> Box | None:
    """The label's box on the page. OCR word boxes overlap and a word may run on past the label (``상호:``,
    or the value glued on): the right edge stops where the label's characters end within its last word
    (in proportion) and before the next word starts."""
    segment = layout.rows[anchor.row].segments[anchor.segment]
    box = segment.box_of(anchor.start, anchor.end)
    if box is None:
        return None
    right = box[2]
    for start, end, word in segment.words:
        if start < anchor.end < end:
            right = min(right, word.box[0] + (word.box[2] - word.box[0]) * (anchor.end - start) / (end - start))
        elif start >= anchor.end and word.box[0] > box[0]:
            right = min(right, word.box[0])
            break
    return box[0], box[1], max(right, box[0]), box[3]


def _after_label(spec: FieldSpec, text: str) -> int | None:
    """Where the value starts in a second read that began at the label: after the field's label (exactly or
    fuzzily read) that starts first, else after the first colon; None when neither is there."""
    compact, offsets = _compact(text)
    ends = []
    for label in spec.labels():
        needle = _compact(label)[0]
        at = compact.find(needle) if needle else -1
        span = (offsets[at], offsets[at + len(needle) - 1] + 1) if at >= 0 else _find_fuzzy(text, label)
        if span is not None:
            ends.append(span)
    if ends:
        return min(ends, key=lambda span: (span[0], -span[1]))[1]
    colon = min((at for at in (text.find(":"), text.find("：")) if at >= 0), default=-1)
    return colon + 1 if colon >= 0 else None


def _value_in(spec: FieldSpec, text: str) -> str | None:
    """The normalised value in a read of a value's run of text, past the field's label should the run
    begin with it."""
    start = value_start(text, _after_label(spec, text) or 0)
    value = find_value(spec, clean_ocr_text(text[start:]))
    return value.normalized if value is not None else None


def _reader_for(layout: Layout, anchor: _Anchor) -> SecondReader | None:
    """The page that can read this label's value again: a scan whose label has a box."""
    segment = layout.rows[anchor.row].segments[anchor.segment]
    if not segment.ocr or segment.page is None or _label_box(layout, anchor) is None:
        return None
    return layout.readers.get(segment.page)


def _on_its_line(reread: Reread, first: Extracted | None) -> bool:
    """Whether a second read covers the first pass's value (its box holds the value's vertical centre): a
    read of the line under the label says nothing about a value read beside it."""
    if first is None or first.bbox is None:
        return True
    centre = (first.bbox[1] + first.bbox[3]) / 2
    return reread.box[1] <= centre <= reread.box[3]


def _second_reading(layout: Layout, anchor: _Anchor, anchors: list[_Anchor], reader: SecondReader,
                    first: Extracted | None) -> tuple[Extracted | None, list[Reread]]:
    """The value next to an OCR-read label read again from its own region of the page image (where the
    first pass found it), and the texts read there."""
    segment = layout.rows[anchor.row].segments[anchor.segment]
    label = _label_box(layout, anchor)
    assert label is not None  # checked by _reader_for
    others = [box for other in anchors if other.row == anchor.row and other is not anchor
              and (box := _label_box(layout, other)) is not None and box[0] > label[2]]
    stop = min((box[0] for box in others), default=1.0)
    rereads = reader.reread(label, stop, anchor.field.type)
    for reread in rereads:
        start = _after_label(anchor.field, reread.text) if reread.place == "right" else 0
        if start is None or not _on_its_line(reread, first):
            continue
        start = value_start(reread.text, start)
        region = Segment(reread.text, segment.page, (reread.box[0], reread.box[2]),
                         [(0, len(reread.text), Word(reread.text, reread.box))], ocr=True)
        reading = _reading(anchor.field, region, start, len(reread.text), reread.place)
        if reading is not None:
            return _extracted(anchor, region, reading), rereads
    return None, rereads


def _label_before(schema: FieldSchema, spec: FieldSpec, text: str, *, whole_line: bool) -> int | None:
    """Where the label nearest before the end of ``text`` ends, if that label is the field's own; None
    otherwise. A label inside another of its type's labels (``등록번호`` in ``공급받는자 등록번호``) counts only
    when ``text`` is its whole line and no letter stands before it (nothing can be the rest of the other)."""
    rivals = [other for other in schema.fields if other.type == spec.type]
    compact, offsets = _compact(text)
    nearest: tuple[int, int, int, str, str] | None = None
    for other in rivals:
        for label in other.labels():
            needle = _compact(label)[0]
            at = compact.rfind(needle) if needle else -1
            span = (offsets[at], offsets[at + len(needle) - 1] + 1) if at >= 0 else _find_fuzzy(text, label)
            if span is not None and (nearest is None or (span[1], span[1] - span[0]) > nearest[1:3]):
                nearest = (span[0], span[1], span[1] - span[0], other.name, needle)
    if nearest is None or nearest[3] != spec.name:
        return None
    inside_another = any(nearest[4] in _compact(label)[0] for other in rivals if other is not spec
                         for label in other.labels())
    if inside_another and (not whole_line or any(char.isalpha() for char in text[:nearest[0]])):
        return None
    return nearest[1]


def _confirm_by_label(layout: Layout, schema: FieldSchema, spec: FieldSpec, reading: Extracted) -> None:
    """A number found by its shape alone, whose line a second OCR read shows with the field's own label
    before it, is the field's after all (in place)."""
    reader = layout.readers.get(reading.page) if reading.page is not None else None
    if reader is None or reading.bbox is None:
        return
    text = reader.read_before(reading.bbox, _LABEL_REACH)
    end = _label_before(schema, spec, text, whole_line=reading.bbox[0] <= _LABEL_REACH)
    if end is not None and shows_digits(text[end:], reading.normalized):
        reading.placed = False
        reading.confidence = _LABEL_SHOWN
        reading.note = "found by its shape; a second OCR read of its line shows its label"


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
        reader = _reader_for(layout, anchor) if anchor.field.name not in found else None
        if reader is not None:
            second, rereads = _second_reading(layout, anchor, anchors, reader, reading)
            reading = combined(reading, second, anchor.field.type, rereads)
            if reading is not None and reading.bbox is not None and unsettled(reading):
                alone = reader.read_value(reading.bbox)
                reading = confirm_by_value_read(reading, alone, anchor.field.type, _value_in(anchor.field, alone))
        if reading is None:
            continue
        first = found.get(reading.name)
        if first is None:
            found[reading.name] = reading
        elif first.normalized != reading.normalized and not anchor.fuzzy:
            first.confidence = round(min(first.confidence, 0.75), 4)
            first.note = "; ".join(filter(None, [first.note, "another reading differs"]))
    settled_by_rules(schema, found)
    known = {name: reading.normalized for name, reading in found.items()}
    for name, shaped in shape_fallbacks(layout, schema, known).items():
        found[name] = Extracted(
            name=name, value=shaped.raw, normalized=shaped.normalized, confidence=shaped.confidence,
            page=shaped.segment.page, bbox=shaped.segment.box_of(shaped.start, shaped.end),
            source_text=shaped.segment.text[:300], note="found by its shape, not by a label", ocr=True,
            placed=shaped.placed)
        if shaped.placed and (spec := schema.field(name)) is not None:
            _confirm_by_label(layout, schema, spec, found[name])
    return found
