"""What kind of answer a question asks for, and where such answers sit in a sentence.

A question that asks for a number (``how many``, ``몇``, ``多少``) or a date (``when``, ``언제``,
``哪一年``) is answered by a span of that kind: a number with its unit, or a date or time written whole;
one that asks what an abbreviation stands for (``약자``, ``stand for``) by the words in brackets after it.
"""

from __future__ import annotations

import re
from enum import Enum

__all__ = ["Cue", "cue_of", "spans"]


class Cue(Enum):
    NUMBER = "number"
    DATE = "date"
    EXPANSION = "expansion"  # what an abbreviation stands for: the words in brackets after it
    OTHER = "other"

    @property
    def typed(self) -> bool:
        """Whether an answer must be a number or a date."""
        return self in (Cue.NUMBER, Cue.DATE)


_DATE_CUES = re.compile(
    r"\bwhen\b|\bwhat (?:year|date|day|month|time)\b|\bwhich (?:year|date|day|month)\b|\bin what year\b"
    r"|언제|몇\s*년|몇\s*월|몇\s*시|며칠|연도|날짜|일자|시기|년도|何时|什么时候|几点|哪一?年|哪一?天|几月|几号|日期",
    re.IGNORECASE,
)
_NUMBER_CUES = re.compile(
    r"\bhow (?:many|much|long|far|old|large|big|tall|high|heavy|fast)\b|\bwhat (?:percentage|percent|share|rate|"
    r"ratio|amount|price|cost|score|size|resolution|number|total|count)\b|\bhow many\b"
    r"|\b(?:revenue|income|sales|profit|population|area|capacity|height|length|width|depth|weight|fare|fee|"
    r"salary|temperature|speed|distance|volume|budget|turnover|error rate|accuracy)\b"
    r"|몇|얼마|비율|금액|점수|규모|인구|수치|개수|가격|매출|면적|용량|높이|길이|무게|요금|비용|처리량|수량|연봉"
    r"|多少|几|多大|多长|多高|多远|比例|比率|金额|分数|人口|面积|产量|库容|高度|长度|重量|费用|价格|总值",
    re.IGNORECASE,
)

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE = re.compile(
    rf"(?:{_MONTHS})\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+(?:{_MONTHS})\s+\d{{4}}|(?:{_MONTHS})\s+\d{{4}}"
    r"|\d{4}\s*년(?:\s*\d{1,2}\s*월)?(?:\s*\d{1,2}\s*일)?|\d{1,2}\s*월\s*\d{1,2}\s*일"
    r"|\d{4}\s*年(?:\s*\d{1,2}\s*月)?(?:\s*\d{1,2}\s*[日号])?"
    r"|\d{4}[.\-/]\s?\d{1,2}[.\-/]\s?\d{1,2}\.?(?:\s*일)?|\b(?:1[5-9]|20)\d{2}\b"
    r"|\b\d{1,2}:\d{2}(?:\s?[AaPp]\.?[Mm]\.?)?|(?:오전|오후)?\s?\d{1,2}\s?시(?:\s?\d{1,2}\s?분)?|\d{1,2}[点點](?:\d{1,2}分)?",
    re.IGNORECASE,
)
_UNIT = (
    r"(?:\s?(?:%|퍼센트|percent|per cent|employees|people|pixels|px|km|kg|mm|cm|m|g|ms|s|GB|MB|KB|TB|GHz|MHz|"
    r"Hz|W|kW|V|USD|EUR|dollars|won|yuan|years|months|days|hours|minutes|seconds|points|times|x)\b"
    r"|\s?(?:만|억|조|천)?\s?(?:명|개|원|달러|년|개월|일|시간|분|초|건|배|점|회|곳|대|세|권|호|위|층|톤|미터|킬로미터)"
    r"|\s?(?:百|千|万|亿)*(?:人|个|元|美元|立方米|平方米|平方公里|公里|千米|米|公顷|亩|吨|年|月|天|小时|分钟|秒|次|倍|分|家|岁))?"
)
_NUMBER = re.compile(
    rf"(?<![A-Za-z\d.])[-+−]?(?:[$€£₩¥]\s?)?\d[\d,]*(?:\.\d+)?(?:\s?(?:×|x)\s?\d[\d,]*(?:\.\d+)?)?(?:\s?(?:만|억|조|천|million|billion|thousand|百|千|万|亿))?{_UNIT}",
    re.IGNORECASE,
)


_HAN_NUMBER = re.compile(
    r"[零一二两三四五六七八九十百千万亿]+多?(?:人|个|元|美元|年|月|天|小时|分钟|秒|次|倍|分|家|岁|公里|千米|米|吨|平方公里)"
)


_WORD_NUMBER = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    r"a hundred|a thousand|half an?)(?:\s+and\s+a\s+half)?\s+(?:percent|times|years?|months?|weeks?|days?|hours?|"
    r"minutes?|seconds?|people|employees|kilometres?|kilometers?|miles?|metres?|meters?)\b",
    re.IGNORECASE,
)


_EXPANSION_CUES = re.compile(r"\bstands? for\b|\babbreviation\b|\bacronym\b|약자|줄임말|缩写|全称", re.IGNORECASE)
_BRACKETED = re.compile(r"(?<=[(（])[^()（）]{3,80}(?=[)）])")


def cue_of(question: str) -> Cue:
    if _EXPANSION_CUES.search(question):
        return Cue.EXPANSION
    if _DATE_CUES.search(question):
        return Cue.DATE
    if _NUMBER_CUES.search(question):
        return Cue.NUMBER
    return Cue.OTHER


def spans(text: str, cue: Cue) -> list[tuple[int, int]]:
    """(start, end) of every span of ``text`` that answers a question with ``cue``, in order."""
    if cue is Cue.DATE:
        return [match.span() for match in _DATE.finditer(text)]
    if cue is Cue.EXPANSION:
        return [match.span() for match in _BRACKETED.finditer(text)]
    if cue is Cue.NUMBER:
        found = [(m.start(), m.end()) for m in _NUMBER.finditer(text) if m.group().strip()]
        words = [m.span() for m in (*_HAN_NUMBER.finditer(text), *_WORD_NUMBER.finditer(text))]
        return sorted(found + words)
    return []
