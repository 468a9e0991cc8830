"""Find the sentences and table rows that support an answer to a question, best first.

Every unit (a sentence, or a table's data row) gets the share of the question's term weight it
covers, alone and with its context (the previous sentence and the passage's heading for a sentence;
the header and the caption for a row; the rest of the passage at half weight). A term's weight grows with its rarity among the units, so a
question term that no passage holds weighs most, and a question about something the passages do not
mention stays below the support threshold. A question that asks for a number or a date is supported
only by a unit that holds one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .cues import Cue, cue_of, spans
from .tables import Row, parse_table
from .terms import numbers, question_terms, terms
from .text import split_blocks, split_sentences

__all__ = ["DEFAULT_THRESHOLD", "Evidence", "find_evidence"]

#: Share of the question's term weight a unit and its context must cover to support an answer.
DEFAULT_THRESHOLD = 0.62
_HEADING = re.compile(r"^\s*#{1,6}\s+")
# In running text a one- or two-digit number without a unit is a list mark, a footnote or a room number
# far more often than an answer.
_BARE_SMALL_NUMBER = re.compile(r"\d{1,2}")
# Weight of question terms found elsewhere in the unit's passage (the topic, not the fact's sentence).
_ELSEWHERE = 0.5


@dataclass(frozen=True, slots=True)
class _Unit:
    passage: int  # 1-based citation number
    position: int
    text: str
    terms: frozenset[str]
    context: frozenset[str]
    passage_terms: frozenset[str]
    row: Row | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """A supporting unit: ``quote`` to show with ``[passage]``, and ``answer`` when a short one was found
    (a number or date span, or a table cell; ``label`` names the row and column of a cell)."""

    passage: int
    position: int
    quote: str
    support: float
    score: float
    answer: str = ""
    label: tuple[str, str] | None = None


def _units(passages: Sequence[str]) -> list[_Unit]:
    units: list[_Unit] = []
    for number, passage in enumerate(passages, start=1):
        whole = terms(passage)
        blocks = split_blocks(passage)
        heading = next((b.text for b in blocks[:1] if b.kind == "text" and _HEADING.match(b.text)), "")
        base = terms(_HEADING.sub("", heading)) if heading else frozenset()
        caption = base
        previous: frozenset[str] = frozenset()
        for block in blocks:
            if block.kind == "table":
                for row in parse_table(block.text):
                    units.append(
                        _Unit(number, len(units), row.text(), terms(" ".join(row.cells)),
                              caption | terms(" ".join(row.header)), whole, row)
                    )
                continue
            for sentence in split_sentences(block.text):
                own = terms(_HEADING.sub("", sentence))
                units.append(_Unit(number, len(units), sentence, own, base | previous, whole))
                previous = own
            caption = base | previous
    return units


def _weights(question: frozenset[str], units: list[_Unit]) -> dict[str, float]:
    count = len(units)
    return {
        term: 1.0 + math.log((count + 1) / (1 + sum(1 for u in units if term in u.terms or term in u.context)))
        for term in question
    }


def _closest_span(text: str, found: list[tuple[int, int]], anchors: list[int], excluded: set[str]) -> str:
    candidates = [
        (s, e)
        for s, e in found
        if not (numbers(text[s:e]) and numbers(text[s:e]) <= excluded)
        and not _BARE_SMALL_NUMBER.fullmatch(text[s:e].strip())
    ]
    if not candidates:
        return ""
    if not anchors:
        start, end = candidates[0]
    else:
        start, end = min(candidates, key=lambda se: (min(abs(se[0] - a) for a in anchors), se[0]))
    return text[start:end].strip()


def _anchors(text: str, matched: frozenset[str]) -> list[int]:
    folded = text.casefold()
    return [index for term in matched if (index := folded.find(term)) != -1]


def _cell_answer(row: Row, question: frozenset[str], weights: dict[str, float], cue: Cue) -> int:
    """Index of the cell that answers (header matched by the question; else a cell of the cued kind)."""
    best, best_score = -1, 0.0
    for index, cell in enumerate(row.cells):
        if not cell or terms(cell) & question:
            continue  # the key the row was found by, not the value asked for
        name = row.header[index] if index < len(row.header) else ""
        score = sum(weights[t] for t in terms(name) & question)
        if score > best_score:
            best, best_score = index, score
    if best == -1 and cue.typed:
        best = next((i for i, cell in enumerate(row.cells) if cell and spans(cell, cue)), -1)
    return best


def find_evidence(
    question: str, passages: Sequence[str], *, threshold: float = DEFAULT_THRESHOLD
) -> list[Evidence]:
    """The units that support an answer, best first (empty: the passages do not answer ``question``)."""
    wanted = question_terms(question)
    units = _units(passages)
    if not wanted or not units:
        return []
    weights = _weights(wanted, units)
    total = sum(weights.values())
    cue = cue_of(question)
    asked_numbers = numbers(question)
    found: list[Evidence] = []
    for unit in units:
        own = wanted & unit.terms
        if not own:
            continue
        covered = own | (wanted & unit.context)
        elsewhere = (wanted & unit.passage_terms) - covered
        coverage = sum(weights[t] for t in own) / total
        support = (sum(weights[t] for t in covered) + _ELSEWHERE * sum(weights[t] for t in elsewhere)) / total
        answer, label = "", None
        if unit.row is not None:
            index = _cell_answer(unit.row, wanted, weights, cue)
            if index >= 0:
                answer = unit.row.cells[index]
                name = unit.row.header[index] if index < len(unit.row.header) else ""
                key = next((c for c in unit.row.cells if c and c != answer), "")
                label = (key, name)
        elif cue is not Cue.OTHER:
            answer = _closest_span(unit.text, spans(unit.text, cue), _anchors(unit.text, own), asked_numbers)
        if cue is not Cue.OTHER and not answer or cue.typed and not spans(answer, cue):
            continue  # asked for a number, a date or an expansion; this unit holds none
        if support < threshold:
            continue
        score = coverage + support + (0.25 if answer else 0.0)
        found.append(Evidence(unit.passage, unit.position, unit.text, support, score, answer, label))
    found.sort(key=lambda e: (-e.score, e.passage, e.position))
    return found
