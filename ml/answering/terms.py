"""Content terms of a question or a sentence, comparable across the two.

Korean goes through Kiwi and Chinese through jieba (the retriever's analysers, so answers and search
agree on what a word is); other scripts are split into words, case-folded, with a light English
suffix strip (see ``_fold``). Numbers are kept whole without group separators
(``4,453`` -> ``4453``, ``68.8`` stays ``68.8``). Question words and function words are dropped.
"""

from __future__ import annotations

import re
from functools import lru_cache

from retriever.analysis import analyze

__all__ = ["STOPWORDS", "numbers", "question_terms", "terms", "warm_up"]

_NUMBER = re.compile(r"(?<![\w.])[-+]?\d[\d,]*(?:\.\d+)?")
_CODE = re.compile(r"(?<![A-Za-z\d])[A-Za-z]+-?\d+[A-Za-z\d]*(?![A-Za-z\d])")  # F1, COVID-19, GPT4: kept whole as well
STOPWORDS = frozenset(
    (
        "a an the of in on at to for from by with and or is are was were be been being what which who whom "
        "whose when where why how does do did done can could should would will shall may might must about "
        "into than that this these those it its as there their they them he she his her i you we our your "
        "me my many much tell please give list name any some all each per according document documents have has had "
        "get got make made use used abbreviation acronym "
        "say says said state stated mention mentioned value number"
    ).split()
    + "약자 줄임말 무엇 뭐 언제 어디 누구 누가 어떻 어떠 어떤 왜 얼마 몇 무슨 이 그 저 하 있 되 것 수 등 때 알 나 대하 관하 경우 문서 말".split()
    + "什么 哪 哪里 哪个 哪些 哪一年 哪年 一年 谁 怎么 怎样 为什么 多少 多长 多大 多高 多远 多久 多 大 这个 这座 那个 该 几 吗 呢 缩写 全称 是 的 了 在 有 和 与 请 问 文档".split()
)


def numbers(text: str) -> set[str]:
    """The numbers written in ``text``, group separators removed."""
    return {match.replace(",", "").lstrip("+") for match in _NUMBER.findall(text)}


_STEM_CHARS = 6


def _fold(token: str) -> str:
    """Case-folded; an English word is cut to its first six letters after dropping a plural ``s``, a
    crude stem that lets ``supplies``/``supplier`` and ``departure``/``depart`` meet."""
    token = token.casefold()
    if not (token.isascii() and token.isalpha()):
        return token
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        token = token[:-1]
    return token[:_STEM_CHARS]


@lru_cache(maxsize=8192)
def _terms(text: str) -> frozenset[str]:
    words = {_fold(token) for token in analyze(text) if not token.isdigit() and token.casefold() not in STOPWORDS}
    codes = {code.casefold().replace("-", "") for code in _CODE.findall(text)}
    return frozenset((words - STOPWORDS) | numbers(text) | codes)


def terms(text: str) -> frozenset[str]:
    """The content terms of ``text`` (cached: passages are analysed once per process and text)."""
    return _terms(text)


_QUESTION_FORMS = re.compile(
    r"\bhow (?:many|much|long|far|old|large|big|tall|high|heavy|fast|often|early|late)\b|\bstands? for\b",
    re.IGNORECASE,
)


def question_terms(question: str) -> frozenset[str]:
    """The content terms of a question, without the words of its question form (``how long``)."""
    return terms(_QUESTION_FORMS.sub(" ", question))


def warm_up() -> None:
    """Load the Korean and Chinese models now rather than on the first question."""
    terms("서울 北京 Seoul")
