"""Checksums of Korean registration numbers and payment card numbers. Pure functions, no I/O.

Each validator takes the number as written (hyphens and spaces are ignored) and returns a :class:`Verdict`:

* 사업자등록번호 (BRN, ``XXX-XX-XXXXX``): weights 1,3,7,1,3,7,1,3,5 plus ⌊5·d9/10⌋; check digit
  (10 − S mod 10) mod 10.
* 법인등록번호 (corporate number, 13 digits): weights alternate 1,2 over 12 digits; check digit
  (10 − S mod 10) mod 10.
* 주민등록번호 / 외국인등록번호 (RRN/FRN, ``YYMMDD-GXXXXXX``): weights 2..9,2..5, check digit
  (11 − S mod 11) mod 10; FRNs use 7th digits 5-8 and add 2 before the final mod 10.
  Numbers issued since October 2020 have random last six digits, so a failed checksum can only mean
  ``UNVERIFIABLE``, never ``INVALID``.
* Cards: Luhn over 12-19 digits.

Blind spots: a corporate-number digit with weight 2 changed by 5 keeps the checksum (2·5 ≡ 0 mod 10);
a BRN or corporate number that passes is only well-formed, not registered (that needs the
NTS lookup); the RRN/FRN date part is checked for a real calendar date, but a number whose checksum
fails cannot be told apart from a post-2020 number, so every such number is ``UNVERIFIABLE``.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

__all__ = [
    "Verdict",
    "check_brn",
    "check_card",
    "check_corp_no",
    "check_frn",
    "check_rrn",
    "digits_of",
]


class Verdict(StrEnum):
    VALID = "valid"
    # The layout is wrong or the checksum fails where it always applies.
    INVALID = "invalid"
    # Well-formed, but the checksum cannot decide (post-October-2020 RRN/FRN).
    UNVERIFIABLE = "unverifiable"


_SEPARATORS = str.maketrans("", "", "- \u2010\u2011\u2012\u2013\u2014")


def digits_of(text: str) -> str:
    """The number without hyphens and spaces; '' when anything else is left."""
    stripped = text.translate(_SEPARATORS)
    return stripped if stripped.isascii() and stripped.isdigit() else ""


def check_brn(text: str) -> Verdict:
    digits = digits_of(text)
    if len(digits) != 10:
        return Verdict.INVALID
    values = [int(c) for c in digits]
    weights = (1, 3, 7, 1, 3, 7, 1, 3, 5)
    total = sum(v * w for v, w in zip(values, weights, strict=False)) + (values[8] * 5) // 10
    return Verdict.VALID if (10 - total % 10) % 10 == values[9] else Verdict.INVALID


def check_corp_no(text: str) -> Verdict:
    digits = digits_of(text)
    if len(digits) != 13:
        return Verdict.INVALID
    values = [int(c) for c in digits]
    total = sum(v * (1 if i % 2 == 0 else 2) for i, v in enumerate(values[:12]))
    return Verdict.VALID if (10 - total % 10) % 10 == values[12] else Verdict.INVALID


_RRN_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
# 7th digit -> century of birth, for residents (RRN) and foreigners (FRN).
_RRN_CENTURY = {1: 1900, 2: 1900, 3: 2000, 4: 2000, 9: 1800, 0: 1800}
_FRN_CENTURY = {5: 1900, 6: 1900, 7: 2000, 8: 2000}


def _birth_date_ok(digits: str, century: int) -> bool:
    try:
        date(century + int(digits[0:2]), int(digits[2:4]), int(digits[4:6]))
    except ValueError:
        return False
    return True


def _resident_check(text: str, centuries: dict[int, int], offset: int) -> Verdict:
    digits = digits_of(text)
    if len(digits) != 13:
        return Verdict.INVALID
    century = centuries.get(int(digits[6]))
    if century is None or not _birth_date_ok(digits, century):
        return Verdict.INVALID
    total = sum(int(c) * w for c, w in zip(digits, _RRN_WEIGHTS, strict=False))
    expected = ((11 - total % 11) % 10 + offset) % 10
    return Verdict.VALID if expected == int(digits[12]) else Verdict.UNVERIFIABLE


def check_rrn(text: str) -> Verdict:
    """주민등록번호: INVALID only for a broken layout or date; a failed checksum is UNVERIFIABLE."""
    return _resident_check(text, _RRN_CENTURY, 0)


def check_frn(text: str) -> Verdict:
    """외국인등록번호: like :func:`check_rrn` with 7th digit 5-8 and the checksum shifted by 2."""
    return _resident_check(text, _FRN_CENTURY, 2)


def check_card(text: str) -> Verdict:
    digits = digits_of(text)
    if not 12 <= len(digits) <= 19:
        return Verdict.INVALID
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return Verdict.VALID if total % 10 == 0 else Verdict.INVALID
