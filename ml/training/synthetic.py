"""Synthetic question-passage pairs from a tenant's own chunks: the document title (or a heading line)
asks for the passage, and each long enough sentence asks for the paragraph it came from."""

from __future__ import annotations

from collections.abc import Iterator

from .tokens import sentences

__all__ = ["synthetic_queries"]

MIN_SENTENCE_CHARS = 20
MAX_SENTENCES_PER_CHUNK = 3


def synthetic_queries(title: str, content: str) -> Iterator[tuple[str, str]]:
    """(query, source) pairs for one chunk; source is ``title``, ``heading`` or ``sentence``."""
    lines = [line.strip() for line in content.splitlines() if line.strip()]
    if title.strip():
        yield title.strip(), "title"
    if lines and lines[0].startswith("#"):
        yield lines[0].lstrip("#").strip(), "heading"
    picked = [s for s in sentences(content) if len(s) >= MIN_SENTENCE_CHARS and not s.startswith("#")]
    for sentence in picked[:MAX_SENTENCES_PER_CHUNK]:
        yield sentence, "sentence"
