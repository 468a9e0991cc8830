"""Synthetic question-passage pairs from a tenant's own chunks: the document title (or a heading line)
asks for the passage, each long enough sentence asks for the paragraph it came from, and so does each
clause of a long sentence (questions usually ask about one clause)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .tokens import sentences

__all__ = ["clauses", "synthetic_queries"]

MIN_SENTENCE_CHARS = 20
MIN_CLAUSE_CHARS = 12
MAX_SENTENCES_PER_CHUNK = 12

# After a comma, or after a Korean connective ending (-며, -고, -으나, -지만, -는데, -하여, -되어).
_CLAUSE_END = re.compile(r"(?<=[,，;])\s+|(?<=(?:으며|으나|지만|였고|했고|이며|하며|되어|하여|었고|는데))\s+")


def clauses(sentence: str) -> list[str]:
    """The clauses of ``sentence`` long enough to ask about; empty when it has only one."""
    pieces = [piece.strip() for piece in _CLAUSE_END.split(sentence)]
    kept = [piece for piece in pieces if len(piece) >= MIN_CLAUSE_CHARS]
    return kept if len(kept) > 1 else []


def synthetic_queries(title: str, content: str) -> Iterator[tuple[str, str]]:
    """(query, source) pairs for one chunk; source is ``title``, ``heading``, ``sentence`` or ``clause``."""
    lines = [line.strip() for line in content.splitlines() if line.strip()]
    if title.strip():
        yield title.strip(), "title"
    if lines and lines[0].startswith("#"):
        yield lines[0].lstrip("#").strip(), "heading"
    picked = [s for s in sentences(content) if len(s) >= MIN_SENTENCE_CHARS and not s.startswith("#")]
    for sentence in picked[:MAX_SENTENCES_PER_CHUNK]:
        yield sentence, "sentence"
        for clause in clauses(sentence):
            yield clause, "clause"
