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

import re
from collections.abc import Sequence
from itertools import product

from jisik.identifiers import Verdict

from .checks import identifier_verdict
from .extracted import Extracted
from .layout import Reread
from .rules import run_rule
from .schema import FieldSchema, FieldType

__all__ = ["combined", "confirm_by_value_read", "settled_by_rules", "shows_digits", "unsettled"]

SINGLE_READ = 0.85  # below the default review threshold
DISAGREEING_READS = 0.7
SHOWN_AGAIN = 0.95  # a number the second read shows counts like a second reading of it (a crop carries no word confidence)
_MAX_TORN = 6  # fields with two differing reads tried together against the rules (2**6 combinations)
# Numbers of a fixed length (a stray space or mark inside them is no doubt about which digits they are).
_FIXED_LENGTH = (FieldType.BRN, FieldType.CORP_NO, FieldType.RRN, FieldType.FRN, FieldType.PHONE, FieldType.CARD)
_SEPARATORS = set(".,-:/()*'\"~_|·ㆍ")
_ONE_READ, _OTHER_READ = "one OCR read only", "another OCR read gave"
_WINDOW = 6  # at most this many words of a second read make up one number
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _noted(reading: Extracted, note: str, confidence: float) -> Extracted:
    reading.confidence = round(confidence, 4)
    reading.note = "; ".join(filter(None, [reading.note, note]))
    return reading


def _preferred(first: Extracted, second: Extracted, field_type: FieldType) -> Extracted:
    """Of two reads that differ, the one a checksum confirms, else the first: on the generated scans the
    first pass was right more often where the two differed (its word boxes come from the whole page; a
    crop's edge can cut a value or take in a border)."""
    if identifier_verdict(field_type, second.normalized) is Verdict.VALID and \
            identifier_verdict(field_type, first.normalized) is not Verdict.VALID:
        return second
    return first


def _numeric(word: str) -> bool:
    """A word of digits and separators, with at most one stray mark (a speck read as ``ㄴ``, a unit ``원``)."""
    return sum(not char.isdigit() and char not in _SEPARATORS for char in word) <= 1


def _digits(words: Sequence[str]) -> str:
    return "".join(char for word in words for char in word if char.isdigit())


def _digit_runs(text: str, *, whole: bool) -> set[str]:
    """The digits of runs of numeric words in ``text``: every run of up to ``_WINDOW`` words, or with
    ``whole`` only maximal runs (an amount cut at a space is another amount)."""
    words, runs = text.split(), set()
    for begin in range(len(words)):
        if whole and begin and _numeric(words[begin - 1]):
            continue
        for end in range(begin + 1, min(len(words), begin + _WINDOW) + 1):
            if not _numeric(words[end - 1]):
                break
            if not whole or end == len(words) or not _numeric(words[end]):
                runs.add(_digits(words[begin:end]))
    return runs


def shows_digits(text: str, normalized: str, *, whole: bool = False) -> bool:
    """Whether the digits of ``normalized`` (at least four) make up a run of numeric words in ``text``."""
    digits = _digits([normalized])
    return len(digits) >= 4 and digits in _digit_runs(text, whole=whole)


def _date_shown(normalized: str, text: str) -> bool:
    """Year, month and day of an ISO date appear in this order as three numbers in ``text`` (the year maybe
    with two digits), whatever separates them."""
    match = _DATE.fullmatch(normalized)
    if match is None:
        return False
    year, month, day = (int(part) for part in match.groups())
    numbers = re.findall(r"\d+", text)
    return any(int(y) in (year, year % 100) and len(y) in (2, 4) and int(m) == month and int(d) == day
               for y, m, d in zip(numbers, numbers[1:], numbers[2:], strict=False))


def _shown_in(normalized: str, texts: Sequence[str], field_type: FieldType) -> bool:
    """Whether another read's text shows the value, though separators, stray marks or a garbled label kept it
    from being parsed: the same digits as a run of numeric words (a whole run for amounts), a date's year,
    month and day in order."""
    if field_type == FieldType.DATE:
        return any(_date_shown(normalized, text) for text in texts)
    if field_type not in (*_FIXED_LENGTH, FieldType.AMOUNT):
        return False
    return any(shows_digits(text, normalized, whole=field_type == FieldType.AMOUNT) for text in texts)


def shown_by(reading: Extracted, rereads: Sequence[Reread], field_type: FieldType) -> bool:
    """Whether a second read of the region the reading came from shows its number (:func:`_shown_in`). Only
    reads whose box holds the reading's vertical centre count, so a value from another line cannot confirm
    it."""
    if reading.bbox is None or field_type in (FieldType.TEXT, FieldType.REGEX):
        return False
    centre = (reading.bbox[1] + reading.bbox[3]) / 2
    return _shown_in(reading.normalized,
                     [reread.text for reread in rereads if reread.box[1] <= centre <= reread.box[3]], field_type)


def unsettled(reading: Extracted) -> bool:
    """A first-pass reading that no second read confirmed: one the value's own region, read once more,
    may still confirm (:func:`confirm_by_value_read`)."""
    return _ONE_READ in reading.note or _OTHER_READ in reading.note


def confirm_by_value_read(reading: Extracted, text: str, field_type: FieldType, value: str | None = None) -> Extracted:
    """An unsettled reading confirmed by a read of the run of text its value came from, alone, with no
    label or neighbour in the crop to confuse it: a number or date when that read shows the same value
    (``text``); free text only when the value parsed from that read (``value``) is exactly the first
    pass's. Such a read repeats the second read's crop, and with it where that read put the spaces between
    syllables: it is a second opinion on the first pass, never on the second read."""
    if field_type in (FieldType.TEXT, FieldType.REGEX):
        if value is None or value != reading.normalized or not unsettled(reading):
            return reading
    elif not _shown_in(reading.normalized, [text], field_type):
        return reading
    reading.alternative = None
    return _noted(reading, "a read of the value alone shows it", max(reading.confidence, SHOWN_AGAIN))


def combined(first: Extracted | None, second: Extracted | None, field_type: FieldType,
             rereads: Sequence[Reread] = ()) -> Extracted | None:
    """One reading of a scanned value from its first-pass reading and its second read (either may be None),
    given the texts of the second read (``rereads``).

    Reads agree when their normalised values are the same: free text that differs only where its spaces
    fall does not (one of the two put them wrong; on the generated scans such a pair was auto-approved with
    the wrong spacing). A first-pass number the second read shows, though it parsed nothing or something
    else from it, agrees too (:func:`shown_by`)."""
    if first is not None and (second is None or first.normalized != second.normalized) and \
            shown_by(first, rereads, field_type):
        return _noted(first, "the second OCR read shows the same number", max(first.confidence, SHOWN_AGAIN))
    if first is None or second is None:
        single = first or second
        if single is None:
            return None
        note = _ONE_READ if single is first else "only the second OCR read found it"
        return _noted(single, note, min(single.confidence, SINGLE_READ))
    if first.normalized == second.normalized:
        return _noted(first, "two OCR reads agree", max(first.confidence, second.confidence))
    chosen = _preferred(first, second, field_type)
    other = second if chosen is first else first
    chosen.alternative = other
    return _noted(chosen, f"{_OTHER_READ} {other.normalized}", min(chosen.confidence, DISAGREEING_READS))


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
