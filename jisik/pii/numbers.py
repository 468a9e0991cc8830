"""What a run of digits is, judged by its grouping, its checksum (from :mod:`jisik.identifiers`) and the
words before it. One function, :func:`classify`, returns a type and a confidence or ``None``."""

from __future__ import annotations

import re

from jisik.identifiers import Verdict, check_brn, check_card, check_corp_no, check_frn, check_rrn
from jisik.pii.cues import Cue, cue_before
from jisik.pii.hits import PiiType

__all__ = ["classify"]

Guess = tuple[PiiType, float] | None

_MOBILE = re.compile(r"01[016789]\d{7,8}")
_LANDLINE = re.compile(r"02\d{7,8}|0[3-6][1-5]\d{7,8}|0[57]0\d{8}")
_CHINA_MOBILE = re.compile(r"1[3-9]\d{9}")
_CARD_IIN = re.compile(r"3[4-7]|4|5[1-5]|2[2-7]|6|9")
_CARD_LAYOUTS = {(4, 4, 4, 4), (4, 6, 5), (4, 6, 4), (4, 4, 4, 2), (4, 4, 4, 3), (4, 4, 4, 4, 3)}
_PHONE_LAYOUTS = {(3, 4, 4), (3, 3, 4), (2, 4, 4), (2, 3, 4)}
_DRIVER_REGIONS = {str(code) for code in range(11, 29)}


def classify(token: str, groups: tuple[int, ...], text: str, start: int) -> Guess:
    """``token`` is the number as written (may start with ``+``), ``groups`` the digit counts between
    separators, ``start`` its offset in ``text`` (for the words before it)."""
    digits = "".join(c for c in token if c.isdigit())
    if token.startswith("+"):
        return (PiiType.PHONE, 0.85) if 8 <= len(digits) <= 15 else None
    plain = len(groups) == 1
    if plain and 10 <= len(digits) <= 14 and _bank_account_cued(text, start):
        return PiiType.ACCOUNT, 0.85
    if len(digits) == 13 and (plain or groups == (6, 7)):
        return _thirteen(digits, text, start)
    if groups == (2, 2, 6, 2) and digits[:2] in _DRIVER_REGIONS:
        return PiiType.DRIVER, 0.9
    card = _card(digits, groups, plain, text, start)
    if card is not None:
        return card
    phone = _phone(digits, groups, plain)
    if phone is not None:
        return phone
    if len(digits) == 10 and (plain or groups == (3, 2, 5)):
        brn = _brn(digits, plain, text, start)
        if brn is not None:
            return brn
    if 10 <= len(digits) <= 14 and cue_before(text, start, Cue.BANK):
        return PiiType.ACCOUNT, 0.85
    if groups == (3, 3, 4) and digits[0] != "0" and cue_before(text, start, Cue.PHONE):
        return PiiType.PHONE, 0.6
    return None


def _bank_account_cued(text: str, start: int) -> bool:
    return cue_before(text, start, Cue.BANK) and not (
        cue_before(text, start, Cue.RESIDENT) or cue_before(text, start, Cue.CARD)
    )


def _thirteen(digits: str, text: str, start: int) -> Guess:
    if cue_before(text, start, Cue.CORPORATE) and not cue_before(text, start, Cue.RESIDENT, 15):
        return PiiType.CORP, 0.95 if check_corp_no(digits) is Verdict.VALID else 0.6
    foreign = digits[6] in "5678"
    kind = PiiType.FRN if foreign else PiiType.RRN
    verdict = (check_frn if foreign else check_rrn)(digits)
    if verdict is Verdict.VALID:
        return kind, 0.95
    if verdict is Verdict.UNVERIFIABLE:
        # Post-October-2020 numbers have random last digits: well-formed is all we can know.
        return kind, 0.75
    if check_corp_no(digits) is Verdict.VALID:
        return PiiType.CORP, 0.8
    if cue_before(text, start, Cue.RESIDENT) or cue_before(text, start, Cue.FOREIGNER):
        return kind, 0.5
    return None


def _card(digits: str, groups: tuple[int, ...], plain: bool, text: str, start: int) -> Guess:
    if not (plain and 13 <= len(digits) <= 19) and groups not in _CARD_LAYOUTS:
        return None
    if check_card(digits) is Verdict.VALID and _CARD_IIN.match(digits):
        return PiiType.CARD, 0.9 if not plain else 0.8
    if not plain and cue_before(text, start, Cue.CARD):
        return PiiType.CARD, 0.5
    return None


def _phone(digits: str, groups: tuple[int, ...], plain: bool) -> Guess:
    if not plain and groups not in _PHONE_LAYOUTS:
        return None
    if _MOBILE.fullmatch(digits):
        return PiiType.PHONE, 0.9
    if _LANDLINE.fullmatch(digits):
        return PiiType.PHONE, 0.85
    if plain and _CHINA_MOBILE.fullmatch(digits):
        return PiiType.PHONE, 0.7
    return None


def _brn(digits: str, plain: bool, text: str, start: int) -> Guess:
    valid = check_brn(digits) is Verdict.VALID
    cued = cue_before(text, start, Cue.BUSINESS)
    if valid and (cued or not plain):
        return PiiType.BRN, 0.9
    if cued:
        return PiiType.BRN, 0.5
    return None
