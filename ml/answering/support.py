"""Check a generated answer's citations: is each cited sentence supported by the passage it cites?

A sentence ending in ``[n]`` (or ``[n][m]``) is supported by passage ``n`` when every number it
states appears in the passage and the passage holds at least half of its content terms. A sentence
written in another script than the passage (a Korean answer over an English page) is checked on its
numbers only, since its words cannot be compared.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .language import detect_language
from .terms import numbers, terms
from .text import split_sentences

__all__ = ["FRAME_TERMS", "SUPPORT_THRESHOLD", "UnsupportedCitation", "cited_sentences", "unsupported_citations"]

#: Share of a cited sentence's content terms its passage must hold.
SUPPORT_THRESHOLD = 0.5
_CITATIONS = re.compile(r"(?:\s*\[\d+(?:\s*[,，]\s*\d+)*\])+")
_NUMBER_IN_GROUP = re.compile(r"\d+")
_MARKUP = re.compile(r"^[\s>*#\-•]+|\*\*|__|`")
# Words of the answer's own frame ("According to the documents, the answer is ..."), not claims.
FRAME_TERMS = frozenset({"answer", "답", "값", "따르", "答案", "根据", "答え", "文書"})
_SCRIPT = {
    "ko": re.compile(r"[\uac00-\ud7a3]"),
    "zh": re.compile(r"[\u4e00-\u9fff]"),
    "ja": re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]"),
    "en": re.compile(r"[A-Za-z]"),
}
_LETTER = re.compile(r"[^\W\d_]")
_SINGLE_HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True, slots=True)
class UnsupportedCitation:
    number: int  # the passage cited, 1-based
    sentence: str  # the answer's sentence that cites it

    def to_dict(self) -> dict[str, object]:
        return {"number": self.number, "sentence": self.sentence}


def cited_sentences(answer: str) -> list[tuple[str, list[int]]]:
    """Each sentence of ``answer`` that ends in citations, with the numbers it cites."""
    claims: list[tuple[str, list[int]]] = []
    start = 0
    for match in _CITATIONS.finditer(answer):
        before = split_sentences(answer[start : match.start()])
        start = match.end()
        if not before:
            continue
        sentence = _MARKUP.sub("", before[-1]).strip()
        cited = list(dict.fromkeys(int(n) for n in _NUMBER_IN_GROUP.findall(match.group())))
        if sentence:
            claims.append((sentence, cited))
    return claims


def _same_script(sentence: str, passage: str) -> bool:
    script = _SCRIPT[detect_language(sentence)]
    letters = _LETTER.findall(passage)
    return bool(letters) and sum(1 for ch in letters if script.match(ch)) / len(letters) >= 0.2


def _supported(sentence: str, passage: str, threshold: float) -> bool:
    if not numbers(sentence) <= numbers(passage):
        return False
    if not _same_script(sentence, passage):
        return True
    # single Han characters are jieba's leftovers (a unit cut off a number), not claims
    claim = {t for t in terms(sentence) - FRAME_TERMS if not _SINGLE_HAN.fullmatch(t)}
    if not claim:
        return True
    return len(claim & terms(passage)) / len(claim) >= threshold


def unsupported_citations(
    answer: str, passages: Sequence[str], *, threshold: float = SUPPORT_THRESHOLD
) -> list[UnsupportedCitation]:
    """Every (passage, sentence) citation of ``answer`` that the cited passage does not support."""
    found: list[UnsupportedCitation] = []
    for sentence, cited in cited_sentences(answer):
        valid = [n for n in cited if 1 <= n <= len(passages)]
        together = "\n".join(passages[n - 1] for n in valid)
        jointly = len(valid) > 1 and _supported(sentence, together, threshold)
        for number in valid:
            passage = passages[number - 1]
            if _supported(sentence, passage, threshold):
                continue
            if jointly and _supported(sentence, passage, threshold / 2):
                continue  # the sentence combines facts of several cited passages
            found.append(UnsupportedCitation(number, sentence))
    return found
