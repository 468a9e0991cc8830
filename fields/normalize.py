"""Typed normalisers: find a value of a field type at the start of a text and give its canonical form.

Every normaliser returns a :class:`Value` (the raw text it consumed, the canonical string, and the number
or date behind it for rules) or None when the text holds no such value. Dates say which format was read
and whether it was ambiguous (``01/05/2024``); amounts accept ``₩1,234,000``, ``1,234,000원``,
``123만4천원``, the Hangul ``금 일백이십삼만사천원정`` and USD/EUR/CHF with either decimal separator.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from jisik.identifiers import digits_of

from .schema import FieldSpec, FieldType

__all__ = ["Value", "find_value", "normalize_amount", "normalize_date", "parse_korean_number"]


@dataclass(frozen=True)
class Value:
    raw: str
    normalized: str
    number: Decimal | None = None
    day: date | None = None
    # e.g. "ambiguous: read as MM/DD/YYYY"; the date format used; the currency.
    note: str = ""


# --- numbers and amounts -----------------------------------------------------------------------------

_HANGUL_DIGITS = {"영": 0, "공": 0, "일": 1, "이": 2, "삼": 3, "사": 4, "오": 5, "육": 6, "칠": 7, "팔": 8, "구": 9}
_SMALL_UNITS = {"십": 10, "백": 100, "천": 1000}
_LARGE_UNITS = {"만": 10**4, "억": 10**8, "조": 10**12}
_KOREAN_NUMBER = re.compile(r"(?:[0-9][0-9,]*|[영공일이삼사오육칠팔구십백천만억조])+")


def parse_korean_number(text: str) -> int | None:
    """``123만4천`` or ``일백이십삼만사천`` (also mixed) as an integer; None when it is not one."""
    total = section = 0
    current: int | None = None
    seen = False
    for token in re.findall(r"[0-9][0-9,]*|.", text):
        if token[0].isdigit():
            current = int(token.replace(",", ""))
        elif token in _HANGUL_DIGITS:
            current = _HANGUL_DIGITS[token]
        elif token in _SMALL_UNITS:
            section += (1 if current is None else current) * _SMALL_UNITS[token]
            current = None
        elif token in _LARGE_UNITS:
            section += current or 0
            total += (section or 1) * _LARGE_UNITS[token]
            section, current = 0, None
        else:
            return None
        seen = True
    return total + section + (current or 0) if seen else None


_CURRENCY_WORDS = {
    "₩": "KRW", "원": "KRW", "krw": "KRW", "$": "USD", "usd": "USD", "us$": "USD", "€": "EUR", "eur": "EUR",
    "chf": "CHF", "sfr": "CHF", "fr.": "CHF",
}
_AMOUNT = re.compile(
    r"(?P<pre>(?:금\s*)?(?:₩|\$|€|KRW|USD|EUR|CHF|US\$)?\s*)"
    r"(?P<num>[0-9영공일이삼사오육칠팔구십백천만억조,]*[만억조천백십][0-9영공일이삼사오육칠팔구십백천,]*"
    r"|-?\d{1,3}(?:[,.' \u2019]\d{3})+(?:[.,]\d{1,2})?|-?\d+(?:[.,]\d{1,2})?)"
    r"(?P<post>\s*(?:원정?|정|KRW|USD|EUR|CHF|€|\$)?)",
    re.IGNORECASE,
)


def _decimal_of(number: str) -> Decimal | None:
    """``1,234,000`` / ``1.234.567,89`` / ``1'234.50`` / ``12,50``: the last separator followed by one or two
    digits is the decimal mark, every other separator groups thousands."""
    text = number.replace(" ", "").replace("'", "").replace("\u2019", "")
    match = re.fullmatch(r"(-?[\d.,]*?)(?:([.,])(\d{1,2}))?", text)
    if match is None:
        return None
    whole, _, fraction = match.groups()
    whole = whole.replace(",", "").replace(".", "")
    try:
        return Decimal(f"{whole or '0'}.{fraction}") if fraction else Decimal(whole)
    except InvalidOperation:
        return None


# OCR reads ₩ as a backslash or a W, and breaks digit groups with spaces ("10, 167, 300").
_OCR_WON = re.compile(r"(?:(?<=\s)|^)[\\W](?=\s?\d)")
_GAP_BEFORE_SEPARATOR = re.compile(r"(?<=\d)\s+(?=[,.]\s?\d)")
_GAP_AFTER_SEPARATOR = re.compile(r"(?<=\d[,.])\s+(?=\d)")
_GROUP_GAP = re.compile(r"(?<=\d)\s+(?=\d{3}(?!\d))")
_DIGIT_GAP = re.compile(r"(?<=\d)\s(?=\d)")
_UNIT_GAP = re.compile(r"(?<=\d)\s+(?=[만억조천백십])|(?<=[만억조천백십])\s+(?=\d)|(?<=[만억조천백십])\s+(?=원)")


def _close_digit_gaps(text: str) -> str:
    text = _GAP_AFTER_SEPARATOR.sub("", _GAP_BEFORE_SEPARATOR.sub("", text))
    return _UNIT_GAP.sub("", _DIGIT_GAP.sub("", _GROUP_GAP.sub(",", text)))


def normalize_amount(text: str) -> Value | None:
    text = _close_digit_gaps(_OCR_WON.sub("₩", text))
    for match in _AMOUNT.finditer(text):
        num = match.group("num").strip()
        if not num or not any(c.isdigit() or c in _HANGUL_DIGITS or c in _LARGE_UNITS for c in num):
            continue
        if re.search(r"[만억조천백십영공일이삼사오육칠팔구]", num):
            # A Korean numeral needs a digit, 금 or 원 beside it: 백화점 or 천안 are words, not amounts.
            if not re.search(r"\d", num) and "금" not in match.group("pre") and "원" not in match.group("post"):
                continue
            parsed = parse_korean_number(num)
            value = Decimal(parsed) if parsed is not None else None
        else:
            value = _decimal_of(num)
        if value is None:
            continue
        marks = (match.group("pre") + match.group("post")).lower()
        currency = next((code for word, code in _CURRENCY_WORDS.items() if word in marks), "KRW")
        normalized = str(value.normalize()) if value == value.to_integral() else f"{value:.2f}"
        if "E" in normalized:
            normalized = str(int(value))
        return Value(match.group(0).strip(), normalized, number=value, note=currency)
    return None


def _normalize_number(text: str) -> Value | None:
    match = re.search(r"-?\d[\d,]*(?:\.\d+)?", text)
    if match is None:
        return None
    try:
        value = Decimal(match.group(0).replace(",", ""))
    except InvalidOperation:
        return None
    return Value(match.group(0), str(value), number=value)


# --- dates ---------------------------------------------------------------------------------------------

_MONTHS = {name: index for index, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")], start=1) for name in names}
_DATE_FORMATS: list[tuple[str, re.Pattern[str], str]] = [
    ("YYYY년 M월 D일", re.compile(r"(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일"), "ymd"),
    # OCR sometimes loses the second separator of "2024. 1. 5." ("2024. 1  5.").
    ("YYYY-MM-DD", re.compile(r"(\d{4})\s*[-./]\s*(\d{1,2})(?:\s*[-./]\s*|\s+)(\d{1,2})\.?(?!\d)"), "ymd"),
    ("YY.MM.DD", re.compile(r"(?<!\d)(\d{2})\.\s?(\d{2})\.\s?(\d{2})(?!\d)"), "yymd"),
    ("MM/DD/YYYY", re.compile(r"(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?!\d)"), "mdy"),
    ("D Month YYYY", re.compile(r"(?<!\d)(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})"), "dMy"),
    ("Month D, YYYY", re.compile(r"([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})"), "Mdy"),
]


def _to_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _date_from(groups: tuple[str, ...], order: str) -> tuple[date | None, str]:
    a, b, c = groups
    if order == "ymd":
        return _to_date(int(a), int(b), int(c)), ""
    if order == "yymd":
        return _to_date(2000 + int(a), int(b), int(c)), ""
    if order == "mdy":
        first, second = int(a), int(b)
        if first > 12:
            return _to_date(int(c), second, first), ""
        note = "ambiguous: read as MM/DD/YYYY" if second <= 12 and first != second else ""
        return _to_date(int(c), first, second), note
    if order == "dMy":
        month = _MONTHS.get(b.lower())
        return (_to_date(int(c), month, int(a)) if month else None), ""
    month = _MONTHS.get(a.lower())
    return (_to_date(int(c), month, int(b)) if month else None), ""


def normalize_date(text: str) -> Value | None:
    """The first date in ``text``; ``note`` names the format read and marks ambiguous day/month order."""
    best: tuple[int, Value] | None = None
    for label, pattern, order in _DATE_FORMATS:
        match = pattern.search(text)
        if match is None or (best is not None and match.start() >= best[0]):
            continue
        day, note = _date_from(match.groups(), order)
        if day is not None:
            best = (match.start(), Value(match.group(0).strip(), day.isoformat(), day=day,
                                         note="; ".join(filter(None, [label, note]))))
    return best[1] if best else None


# A year, then what OCR left of "년 M월 D일" or ". M. D.": digits, dots and the marks it misreads them as.
_OCR_DATE = re.compile(r"(20\d\d)([\d\s.년월일]{2,14})(?![A-Za-z\d])")
_YEAR_MARKS, _MONTH_MARKS = ".년4", ".월2"  # Tesseract often reads 년 as 4 and 월 as 2


def _marked_tokens(text: str) -> date | None:
    """The date of ``2024? 10? 20?``: exactly three words, a year, a month and a day, each followed by one
    mark OCR turned into a digit or a dot (년, 월, 일 read as ``4``, ``8``, ``2``). The words' boundaries say
    which digit is the mark where the digits alone fit several dates."""
    words = text.split()
    if len(words) != 3 or not all(len(word) >= 2 and word[:-1].isdigit() for word in words):
        return None
    year, month, day = (word[:-1] for word in words)
    if len(year) != 4 or len(month) > 2 or len(day) > 2:
        return None
    return _to_date(int(year), int(month), int(day))


def repair_ocr_date(text: str) -> Value | None:
    """A Korean date whose marks OCR garbled (``20234 102 14 일`` for 2023년 10월 14일, ``2024. 7  1 1``),
    when exactly one reading of the digits makes a valid date; None when none or several do."""
    match = _OCR_DATE.search(text)
    if match is None:
        return None
    year, rest = int(match.group(1)), "".join(match.group(2).split()).rstrip(".일")
    found: set[date] = set()
    for skip_year in (0, 1) if rest[:1] and rest[0] in _YEAR_MARKS else (0,):
        for month_digits in (1, 2):
            month_end = skip_year + month_digits
            month = rest[skip_year:month_end]
            after = rest[month_end:]
            for skip_month in (0, 1) if after[:1] and after[0] in _MONTH_MARKS else (0,):
                day_digits = after[skip_month:]
                if month.isdigit() and day_digits.isdigit() and len(day_digits) <= 2:
                    parsed = _to_date(year, int(month), int(day_digits))
                    if parsed is not None:
                        found.add(parsed)
    if len(found) > 1 or not found:
        found = {day} if (day := _marked_tokens(match.group(0))) is not None else set()
    if len(found) != 1:
        return None
    (repaired,) = found
    return Value(match.group(0).strip(), repaired.isoformat(), day=repaired, note="repaired OCR date")


# --- identifiers and contact details ---------------------------------------------------------------------

def _digit_pattern(*groups: int) -> re.Pattern[str]:
    body = r"[-\u2010-\u2014 ]{0,3}".join(rf"\d{{{size}}}" for size in groups)
    return re.compile(rf"(?<!\d){body}(?!\d)")


_DIGIT_RUN = re.compile(r"(?<!\d)\d[\d\s\-\u2010-\u2014]*\d(?!\d)")


def _grouped(pattern: re.Pattern[str], groups: tuple[int, ...]) -> Callable[[str], Value | None]:
    """Numbers written in fixed digit groups; OCR's stray spaces inside a group are tolerated."""
    def normalize(text: str) -> Value | None:
        match = pattern.search(text) or next(
            (run for run in _DIGIT_RUN.finditer(text) if len(digits_of(run.group(0))) == sum(groups)), None)
        if match is None:
            return None
        digits = digits_of(match.group(0))
        parts, start = [], 0
        for size in groups:
            parts.append(digits[start:start + size])
            start += size
        return Value(match.group(0), "-".join(parts))
    return normalize


_PHONE = re.compile(r"(?<!\d)(?:\+82[\s-]?|0)(\d{1,2})[\s.)-]{0,2}(\d{3,4})[\s.-]?(\d{4})(?!\d)")


def _normalize_phone(text: str) -> Value | None:
    match = _PHONE.search(text)
    if match is None:
        return None
    area, middle, last = match.groups()
    return Value(match.group(0), f"0{area}-{middle}-{last}")


_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def _normalize_email(text: str) -> Value | None:
    match = _EMAIL.search(text)
    return Value(match.group(0), match.group(0).lower()) if match else None


_CARD = re.compile(r"(?<!\d)\d{4}(?:[\s-]?\d{4}){2}[\s-]?\d{1,7}(?!\d)")


def _normalize_card(text: str) -> Value | None:
    match = _CARD.search(text)
    return Value(match.group(0), digits_of(match.group(0))) if match else None


_ACCOUNT = re.compile(r"(?<!\d)\d{2,6}(?:-\d{2,8}){1,4}(?!\d)|(?<!\d)\d{10,16}(?!\d)")


def _normalize_account(text: str) -> Value | None:
    match = _ACCOUNT.search(text)
    return Value(match.group(0), match.group(0)) if match else None


# A company's legal form written before its name is a word of its own, however closely it was printed, and
# whatever spaces or specks (a dot, a colon) OCR put inside or after it: the forms are a closed list of
# words whose spelling carries no spaces.
_LEGAL_FORMS = ("(주)", "(유)", "주식회사", "유한회사", "유한책임회사", "합자회사", "합명회사")
_LEGAL_FORM = re.compile(r"^(" + "|".join(r"\s*".join(re.escape(char) for char in form) for form in _LEGAL_FORMS)
                         + r")[\s.,:;：]*(?=[가-힣A-Za-z0-9])")


def _legal_form(match: re.Match[str]) -> str:
    return "".join(match.group(1).split()) + " "


def _normalize_text(text: str) -> Value | None:
    cleaned = re.sub(r"\(\s+|\s+\)", lambda m: m.group(0).strip(), " ".join(text.split())).strip(" :：|")
    cleaned = _LEGAL_FORM.sub(_legal_form, cleaned)
    # A full stop after Hangul ends a sentence (or is a speck OCR read as one): not part of the value.
    cleaned = re.sub(r"(?<=[가-힣])[.。]+$", "", cleaned)
    if "".join(cleaned.split()) in _LEGAL_FORMS:  # a legal form alone: the name itself was cut off
        return None
    return Value(cleaned, cleaned) if cleaned else None


_BY_TYPE: dict[FieldType, Callable[[str], Value | None]] = {
    FieldType.TEXT: _normalize_text,
    FieldType.NUMBER: _normalize_number,
    FieldType.AMOUNT: normalize_amount,
    FieldType.DATE: normalize_date,
    FieldType.BRN: _grouped(_digit_pattern(3, 2, 5), (3, 2, 5)),
    FieldType.RRN: _grouped(_digit_pattern(6, 7), (6, 7)),
    FieldType.FRN: _grouped(_digit_pattern(6, 7), (6, 7)),
    FieldType.CORP_NO: _grouped(_digit_pattern(6, 7), (6, 7)),
    FieldType.PHONE: _normalize_phone,
    FieldType.EMAIL: _normalize_email,
    FieldType.CARD: _normalize_card,
    FieldType.ACCOUNT: _normalize_account,
    FieldType.REGEX: _normalize_text,
}


def _normalize_enum(spec: FieldSpec, text: str) -> Value | None:
    folded = " ".join(text.split()).casefold()
    for allowed in sorted(spec.values, key=len, reverse=True):
        if allowed.casefold() in folded:
            return Value(allowed, allowed)
    return None


def find_value(spec: FieldSpec, text: str) -> Value | None:
    """The first value of the field's type in ``text`` (the text after a label, or a reviewer's input)."""
    if spec.type == FieldType.ENUM:
        return _normalize_enum(spec, text)
    return _BY_TYPE[spec.type](text)
