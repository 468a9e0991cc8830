"""One page of a stored PDF as a PNG, with the cited passage highlighted where it sits on the page.

The passage's text is found on the page piece by piece (its lines, and runs of a few words when a
line does not match whole, since the page may wrap it differently), and each hit's quads get a
highlight annotation in the in-memory copy before rendering; the stored file is never changed.
With a ``focus`` (the answer's sentence that cites the passage), only the passage's sentences that
share the most terms with it are highlighted, so the reader sees the evidence, not the whole chunk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pymupdf

from jisik.errors import InvalidInput, NotFound, UnsupportedFormat
from ml.answering.support import FRAME_TERMS
from ml.answering.terms import terms
from ml.answering.text import split_sentences

__all__ = ["RenderedPage", "focus_sentences", "highlight_pieces", "render_page"]

_MARKUP = re.compile(r"<br\s*/?>|[|#>*`]|!\[[^\]]*\]\([^)]*\)|^\s*[-:]{3,}\s*$", re.MULTILINE)
_RUN_WORDS = 5
_MIN_PIECE_CHARS = 4
_HIGHLIGHT = (1.0, 0.85, 0.1)


@dataclass(frozen=True, slots=True)
class RenderedPage:
    png: bytes
    page_count: int
    highlights: int  # rectangles highlighted
    focused: bool  # the highlights are the focus's sentences, not the whole passages


def highlight_pieces(passage: str) -> list[str]:
    """What to look for on the page: each line of the passage (Markdown removed), and runs of
    ``_RUN_WORDS`` words of it, longest first, without repeats."""
    lines = [" ".join(line.split()) for line in _MARKUP.sub(" ", passage).splitlines()]
    pieces: list[str] = []
    for line in lines:
        if len(line) < _MIN_PIECE_CHARS:
            continue
        pieces.append(line)
        words = line.split()
        if len(words) > _RUN_WORDS:
            pieces += [" ".join(words[i : i + _RUN_WORDS]) for i in range(0, len(words), _RUN_WORDS)]
    return list(dict.fromkeys(pieces))


def focus_sentences(passages: list[str], focus: str) -> list[str]:
    """The sentences of ``passages`` that share the most content terms with ``focus`` (none: no overlap)."""
    wanted = terms(focus) - FRAME_TERMS
    scored = [(len(wanted & terms(s)), s) for passage in passages for s in split_sentences(passage)]
    best = max((score for score, _ in scored), default=0)
    return [sentence for score, sentence in scored if best and score >= max(1, best * 0.75)]


def _highlight(page: pymupdf.Page, texts: list[str]) -> int:
    covered: list[pymupdf.Rect] = []
    for text in texts:
        for piece in highlight_pieces(text):
            for quad in page.search_for(piece, quads=True):
                rect = quad.rect
                if any(abs(rect & done) >= 0.8 * abs(rect) for done in covered if rect.intersects(done)):
                    continue  # already highlighted by a longer piece
                covered.append(rect)
                annotation = page.add_highlight_annot(quad)
                annotation.set_colors(stroke=_HIGHLIGHT)
                annotation.update()
    return len(covered)


def render_page(
    data: bytes, page_number: int, passages: list[str], *, zoom: float, focus: str = ""
) -> RenderedPage:
    """Page ``page_number`` (1-based) of the PDF ``data`` with ``passages`` (or, with ``focus``, the
    sentences of them that support it, when any is on this page) highlighted."""
    try:
        document = pymupdf.open(stream=data, filetype="pdf")
    except (pymupdf.FileDataError, RuntimeError, ValueError) as exc:
        raise UnsupportedFormat("the stored file is not a readable PDF", field="knowledge_id") from exc
    with document:
        if document.needs_pass:
            raise InvalidInput("the PDF is encrypted", field="knowledge_id")
        if not 1 <= page_number <= document.page_count:
            raise NotFound(f"the document has no page {page_number}", field="page")
        page = document[page_number - 1]
        sentences = focus_sentences(passages, focus) if focus else []
        highlights = _highlight(page, sentences) if sentences else 0
        focused = highlights > 0
        if not focused:
            highlights = _highlight(page, passages)
        pixmap = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), annots=True)
        return RenderedPage(pixmap.tobytes("png"), document.page_count, highlights, focused)
