"""Context words: a label or bank name shortly before a number decides what the number is."""

from __future__ import annotations

import re

__all__ = ["WINDOW", "Cue", "cue_before"]

# How far back (in characters) a label may stand; wide enough for a table header on the line above.
WINDOW = 40


class Cue:
    RESIDENT = re.compile(r"주민|생년월일|resident", re.IGNORECASE)
    FOREIGNER = re.compile(r"외국인|alien|foreigner", re.IGNORECASE)
    CORPORATE = re.compile(r"법인")
    BUSINESS = re.compile(r"사업자|business reg", re.IGNORECASE)
    CARD = re.compile(r"카드|card", re.IGNORECASE)
    PHONE = re.compile(r"전화|연락처|휴대|핸드폰|tel|phone|mobile|fax|팩스", re.IGNORECASE)
    PASSPORT = re.compile(r"여권|passport", re.IGNORECASE)
    BANK = re.compile(
        r"은행|계좌|입금|예금주|송금|이체|새마을금고|신협|우체국|농협|수협|카카오뱅크|토스뱅크|케이뱅크|"
        r"\b(?:KB|NH|IBK|SC|KDB)|bank|account",
        re.IGNORECASE,
    )


def cue_before(text: str, start: int, cue: re.Pattern[str], window: int = WINDOW) -> bool:
    return cue.search(text, max(0, start - window), start) is not None
