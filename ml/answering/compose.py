"""Write a grounded answer: the answer first, in one short sentence in the question's language, then
the supporting quotes, each with its ``[n]``. When nothing supports an answer, the whole reply is
"the documents do not contain the answer" in the question's language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .evidence import DEFAULT_THRESHOLD, Evidence, find_evidence
from .language import detect_language, no_answer_text

__all__ = ["Answer", "compose"]

_FROM_DOCUMENTS = {
    "ko": "문서에 따르면 {body}입니다 [{n}].",
    "zh": "根据文档，{body} [{n}]。",
    "ja": "文書によると、{body}です [{n}]。",
    "en": "According to the documents, {body} [{n}].",
}
_CELL = {
    "ko": "{row}의 {column} 값은 {value}",
    "zh": "{row}的{column}是{value}",
    "ja": "{row}の{column}は{value}",
    "en": "the {column} of {row} is {value}",
}
_SPAN = {"ko": "답은 {value}", "zh": "答案是{value}", "ja": "答えは{value}", "en": "the answer is {value}"}
_QUOTE_LEAD = {"ko": "문서에 따르면:", "zh": "根据文档：", "ja": "文書によると：", "en": "According to the documents:"}


@dataclass(frozen=True, slots=True)
class Answer:
    language: str
    pieces: list[str] = field(default_factory=list)  # concatenate to the full answer; streamed one by one
    answered: bool = False
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.pieces)


def _lead(language: str, best: Evidence) -> str:
    if best.label is not None and best.label[0] and best.label[1]:
        row, column = best.label
        body = _CELL[language].format(row=row, column=column, value=best.answer)
    elif best.answer:
        body = _SPAN[language].format(value=best.answer)
    else:
        return f"{_QUOTE_LEAD[language]} {best.quote} [{best.passage}]"
    return _FROM_DOCUMENTS[language].format(body=body, n=best.passage)


def compose(
    question: str, passages: Sequence[str], *, max_quotes: int = 3, threshold: float = DEFAULT_THRESHOLD
) -> Answer:
    """The answer to ``question`` from ``passages`` (``[n]`` is the n-th passage, 1-based)."""
    language = detect_language(question)
    evidence = find_evidence(question, passages, threshold=threshold)
    if not evidence:
        return Answer(language, [no_answer_text(language)], answered=False)
    best = evidence[0]
    lead = _lead(language, best)
    quotes = [best] if best.answer else []
    quotes += [e for e in evidence[1:] if e.quote != best.quote][: max_quotes - len(quotes)]
    pieces = [lead] + [f"\n\n> {e.quote} [{e.passage}]" for e in quotes]
    return Answer(language, pieces, answered=True, evidence=evidence)
