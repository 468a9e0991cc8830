"""Two OCR reads of one scanned value, made one: the first pass over the whole page and the second read
of the value's own region (:class:`fields.ocr.ScanPage`).

Reads that agree are confirmed: the reading keeps the better confidence of the two, and the second read's
carries no OCR word confidence, only what the label and the value's type say. A value only one read found,
or reads that differ, go to a person unless a checksum or a rule confirms them (the first pass's reading is
kept unless only the second passes its checksum). Where reads of amounts or
dates differ, the schema's rules may settle it: the one combination of reads that passes more rules than
any other is taken (and the rules then confirm it).
"""

from __future__ import annotations

from itertools import product

from jisik.identifiers import Verdict

from .checks import identifier_verdict
from .extracted import Extracted
from .rules import run_rule
from .schema import FieldSchema, FieldType

__all__ = ["combined", "settled_by_rules"]

SINGLE_READ = 0.85  # below the default review threshold
DISAGREEING_READS = 0.7
_MAX_TORN = 6  # fields with two differing reads tried together against the rules (2**6 combinations)


def _noted(reading: Extracted, note: str, confidence: float) -> Extracted:
    reading.confidence = round(confidence, 4)
    reading.note = "; ".join(filter(None, [reading.note, note]))
    return reading


def _compact(text: str) -> str:
    return "".join(text.split())


def _preferred(first: Extracted, second: Extracted, field_type: FieldType) -> Extracted:
    """Of two reads that differ, the one a checksum confirms, else the first: on the generated scans the
    first pass was right more often where the two differed (its word boxes come from the whole page; a
    crop's edge can cut a value or take in a border)."""
    if identifier_verdict(field_type, second.normalized) is Verdict.VALID and \
            identifier_verdict(field_type, first.normalized) is not Verdict.VALID:
        return second
    return first


def combined(first: Extracted | None, second: Extracted | None, field_type: FieldType) -> Extracted | None:
    """One reading of a scanned value from its first-pass reading and its second read (either may be None).

    Free text that differs only in its spaces agrees; the second read's spacing is kept (it measures the
    gaps between syllables on the crop)."""
    if first is None or second is None:
        single = first or second
        if single is None:
            return None
        return _noted(single, "one OCR read only", min(single.confidence, SINGLE_READ))
    if first.normalized == second.normalized or (
            field_type in (FieldType.TEXT, FieldType.REGEX) and _compact(first.normalized) == _compact(second.normalized)):
        kept = second if field_type in (FieldType.TEXT, FieldType.REGEX) else first
        return _noted(kept, "two OCR reads agree", max(first.confidence, second.confidence))
    chosen = _preferred(first, second, field_type)
    other = second if chosen is first else first
    chosen.alternative = other
    return _noted(chosen, f"another OCR read gave {other.normalized}", min(chosen.confidence, DISAGREEING_READS))


def _score(schema: FieldSchema, values: dict[str, str]) -> tuple[int, int]:
    passed = failed = 0
    for rule in schema.rules:
        decided, _ = run_rule(rule, values)
        passed += decided is True
        failed += decided is False
    return passed, -failed


def settled_by_rules(schema: FieldSchema, found: dict[str, Extracted]) -> None:
    """Swap in the other read of fields whose two reads differ where the rules single out that combination
    (in place)."""
    ruled = {name for rule in schema.rules for name in rule.fields}
    torn = [name for name, reading in found.items() if reading.alternative is not None and name in ruled][:_MAX_TORN]
    if not torn:
        return
    base = {name: reading.normalized for name, reading in found.items()}
    scored = []
    for choice in product((False, True), repeat=len(torn)):
        values = dict(base)
        for name, swap in zip(torn, choice, strict=True):
            alternative = found[name].alternative
            if swap and alternative is not None:
                values[name] = alternative.normalized
        scored.append((_score(schema, values), choice))
    scored.sort(reverse=True)
    (best, choice), runner_up = scored[0], scored[1][0]
    if best == runner_up or best[0] == 0:
        return
    for name, swap in zip(torn, choice, strict=True):
        alternative = found[name].alternative
        if swap and alternative is not None:
            alternative.confidence = found[name].confidence
            alternative.note = found[name].note.replace(
                f"another OCR read gave {alternative.normalized}", f"another OCR read gave {found[name].normalized}")
            found[name] = alternative
