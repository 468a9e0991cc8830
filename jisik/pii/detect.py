"""One compiled pattern over the folded text, then checksums and context words per candidate.

Numbers are read as runs of digit groups joined by one hyphen, dot or space. A run that means nothing as a
whole is split at its spaces and read again piece by piece (``주민번호 900101-1234567 2020년``)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from jisik.pii.addresses import ADDRESS_PATTERN, ADDRESS_WORDS, LOCAL_ADDRESS_PATTERN
from jisik.pii.cues import Cue, cue_before
from jisik.pii.fold import fold
from jisik.pii.hits import Hit, PiiType
from jisik.pii.names import NAME_PATTERN, NOT_NAMES, RECORD_WORDS
from jisik.pii.numbers import classify

__all__ = ["DEFAULT_MIN_CONFIDENCE", "detect"]

DEFAULT_MIN_CONFIDENCE = 0.5
# The most digit groups one identifier spans (``+82 10 1234 5678``, ``1234 5678 9012 3456 789``).
_MAX_GROUPS = 5
# How far around a name before a role title (씨, 변호사 …) or an address without a province a record
# word must stand.
_RECORD_WINDOW = 60

_DRIVER_REGION_NAMES = "서울|부산|경기|강원|충북|충남|전북|전남|경북|경남|제주|대구|인천|광주|대전|울산"
_PATTERN = re.compile(
    "|".join(
        (
            r"(?P<email>[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,})",
            r"(?<![A-Za-z0-9])(?P<iban>[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?)(?![A-Za-z0-9])",
            r"(?<![A-Za-z0-9])(?P<passport>[MSRODG]\d{8}|[MS]\d{3}[A-Z]\d{4})(?![A-Za-z0-9])",
            rf"(?P<driver>(?:{_DRIVER_REGION_NAMES})\s?\d{{2}}-\d{{6}}-\d{{2}})(?!\d)",
            r"(?P<paren_phone>\(0\d{1,2}\)\s?\d{3,4}-\d{4})(?!\d)",
            r"(?<![0-9A-Za-z.,])(?P<number>\+?\d+(?:[ \-.]\d+)*)(?![0-9A-Za-z])",
            f"(?P<address>{ADDRESS_PATTERN})",
            f"(?P<address_local>{LOCAL_ADDRESS_PATTERN})",
            NAME_PATTERN,
        )
    )
)
_GROUP_SPLIT = re.compile(r"[ \-.]")


def detect(
    text: str, *, types: Iterable[PiiType] | None = None, min_confidence: float = DEFAULT_MIN_CONFIDENCE
) -> list[Hit]:
    """Personal data in ``text``, in order, without overlaps; spans index ``text`` itself."""
    folded = fold(text)
    wanted = frozenset(types) if types is not None else None
    hits: list[Hit] = []
    for match in _PATTERN.finditer(folded):
        for hit in _hits_of(match, folded):
            if hit.confidence >= min_confidence and (wanted is None or hit.type in wanted):
                hits.append(hit)
    return hits


def _hits_of(match: re.Match[str], text: str) -> list[Hit]:
    kind = match.lastgroup or ""
    if kind == "number":
        return _number_hits(match.group(kind), match.start(kind), text)
    if kind in ("name_l", "name_s"):
        return _name_hit(match, kind)
    if kind in ("name_title", "name_role"):  # the title group closes last; the name is name_t
        if kind == "name_role" and not _reads_as_a_record(text, match.start(), match.end()):
            return []
        return _name_hit(match, "name_t")
    start, end = match.span(kind)
    if kind == "address_local":
        cued = ADDRESS_WORDS.search(text, max(0, start - _RECORD_WINDOW), start) is not None
        return [Hit(PiiType.ADDRESS, start, end, 0.8)] if cued or _reads_as_a_record(text, start, end) else []
    if kind == "email":
        return [Hit(PiiType.EMAIL, start, end, 0.95)]
    if kind == "iban":
        return [Hit(PiiType.IBAN, start, end, 0.95)] if _iban_ok(match.group(kind)) else []
    if kind == "passport":
        return [Hit(PiiType.PASSPORT, start, end, 0.95 if cue_before(text, start, Cue.PASSPORT) else 0.7)]
    if kind == "driver":
        return [Hit(PiiType.DRIVER, start, end, 0.9)]
    if kind == "paren_phone":
        return [Hit(PiiType.PHONE, start, end, 0.85)]
    return [Hit(PiiType.ADDRESS, start, end, 0.8)]


def _name_hit(match: re.Match[str], group: str) -> list[Hit]:
    name = match.group(group)
    return [] if name in NOT_NAMES else [Hit(PiiType.NAME, match.start(group), match.end(group), 0.85)]


def _reads_as_a_record(text: str, start: int, end: int) -> bool:
    return RECORD_WORDS.search(text, max(0, start - _RECORD_WINDOW), end + _RECORD_WINDOW) is not None


def _number_hits(token: str, offset: int, text: str) -> list[Hit]:
    whole = _read_number(token, offset, text)
    if whole is not None or " " not in token:
        return [whole] if whole is not None else []
    pieces = [(m.start(), m.end()) for m in re.finditer(r"\S+", token)]
    hits: list[Hit] = []
    first = 0
    while first < len(pieces):
        for last in range(min(len(pieces), first + _MAX_GROUPS), first, -1):
            start, end = pieces[first][0], pieces[last - 1][1]
            hit = _read_number(token[start:end], offset + start, text)
            if hit is not None:
                hits.append(hit)
                first = last
                break
        else:
            first += 1
    return hits


def _read_number(token: str, offset: int, text: str) -> Hit | None:
    groups = tuple(len(part) for part in _GROUP_SPLIT.split(token.lstrip("+")))
    guess = classify(token, groups, text, offset)
    return None if guess is None else Hit(guess[0], offset, offset + len(token), guess[1])


def _iban_ok(iban: str) -> bool:
    compact = iban.replace(" ", "")
    rotated = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rotated)) % 97 == 1
