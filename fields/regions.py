"""Where a value stands on a scanned page, found from the ink itself rather than from the first OCR pass's
word boxes (which can cover half a value, or a stray speck glued to a word).

Everything works on a binarised page (a boolean array, True where there is ink, table rulings removed) in
pixels, given the box of the value's label and the page's line height:

* :func:`line_band`: the rows of the text line the label stands on;
* :func:`right_region`: the label and the first run of text after it on that line (up to the next
  label);
* :func:`below_region`: the first text line under the label, within the label's column (a header cell
  over its value);
* :func:`before_region`: a value's line from some way left of it to its end (where its label would be);
* :func:`value_region`: the run of text on a value's line that holds the value's box (all of it, should the
  box cover only part of the value).
"""

from __future__ import annotations

from typing import Any

__all__ = ["PixelBox", "before_region", "below_region", "line_band", "right_region", "value_region"]

PixelBox = tuple[int, int, int, int]  # x0, y0, x1, y1

_GLYPH_GAP = 0.5  # gaps narrower than this (in line heights) lie inside a word
_VALUE_GAP = 2.5  # wider gaps end the value: the next key: value pair or cell
_MIN_TEXT = 0.4  # a run narrower than this is a colon, a rule or noise, not a value
_SPECK = 0.3  # ink shorter than this (in line heights) and narrow is a speck
_PAD = 0.25  # crops keep this much white around the text, for the OCR engine
_ROWS_BELOW = 4.0  # how far under the label a value cell may start
_TALLEST_LINE = 1.8  # a taller band of ink is several lines joined by a border


def _runs(mask: Any, gap: int) -> list[tuple[int, int]]:
    """Runs of True in a 1-D mask, joined across gaps of at most ``gap`` elements, as [start, end)."""
    import numpy as np

    runs: list[tuple[int, int]] = []
    for index in np.flatnonzero(mask):
        at = int(index)
        if runs and at - runs[-1][1] <= gap:
            runs[-1] = (runs[-1][0], at + 1)
        else:
            runs.append((at, at + 1))
    return runs


def line_band(ink: Any, label: PixelBox, line: float) -> tuple[int, int]:
    """The rows of the text line under the label's columns that holds the label's centre (or lies nearest
    to it); the label box itself when there is no ink there."""
    height = ink.shape[0]
    x0, y0, x1, y1 = label
    top, bottom = max(0, y0 - int(line)), min(height, y1 + int(line))
    rows = ink[top:bottom, x0:x1].sum(axis=1) > 0
    centre = (y0 + y1) // 2 - top
    runs = [run for run in _runs(rows, max(1, int(line * 0.15))) if run[1] - run[0] >= line * _SPECK]
    if not runs:
        return y0, y1
    start, end = min(runs, key=lambda run: 0 if run[0] <= centre < run[1] else min(abs(run[0] - centre),
                                                                                     abs(run[1] - centre)))
    if end - start > line * _TALLEST_LINE:  # lines joined by a rule or a border: one line around the label
        return top + max(0, centre - int(line * 0.7)), top + centre + int(line * 0.7)
    return top + start, top + end


def _clusters(ink: Any, band: tuple[int, int], start: int, stop: int, line: float) -> list[tuple[int, int]]:
    """Runs of text between ``start`` and ``stop`` on the band, as absolute columns: glyphs joined over word
    gaps, specks skipped, split at gaps wider than a value's own spaces."""
    top, bottom = band
    if stop - start < line * _MIN_TEXT or bottom <= top:
        return []
    window = ink[top:bottom, start:stop]
    clusters: list[tuple[int, int]] = []
    for left, right in _runs(window.sum(axis=0) > 0, max(1, int(line * _GLYPH_GAP))):
        rows = window[:, left:right].any(axis=1).nonzero()[0]
        if right - left < line * _SPECK and rows[-1] - rows[0] + 1 < line * _SPECK:
            continue
        if clusters and left - clusters[-1][1] <= line * _VALUE_GAP:
            clusters[-1] = (clusters[-1][0], right)
        else:
            clusters.append((left, right))
    return [(start + left, start + right) for left, right in clusters if right - left >= line * _MIN_TEXT]


def _padded(ink: Any, columns: tuple[int, int], band: tuple[int, int], line: float) -> PixelBox:
    height, width = ink.shape
    pad = int(line * _PAD) + 2
    return (max(0, columns[0] - pad), max(0, band[0] - pad), min(width, columns[1] + pad),
            min(height, band[1] + pad))


def right_region(ink: Any, label: PixelBox, stop: int, line: float) -> PixelBox | None:
    """The label and the value right of it on its line, ending before ``stop`` (the next label's left
    edge). The crop starts at the label itself, because OCR word boxes do not say reliably where a label
    ends: the reader finds the label in what it reads. A label alone in its run of text (a table cell)
    takes the next run with it."""
    band = line_band(ink, label, line)
    clusters = _clusters(ink, band, label[0], min(stop, ink.shape[1]), line)
    if not clusters:
        return None
    first = clusters[0]
    if first[1] <= label[2] + line * _GLYPH_GAP and len(clusters) > 1:
        first = (first[0], clusters[1][1])
    return _padded(ink, first, band, line)


def below_region(ink: Any, label: PixelBox, stop: int, line: float) -> PixelBox | None:
    """The first text line under the label within its column (from the label's left edge, less half a line,
    to ``stop``)."""
    band = line_band(ink, label, line)
    left = max(0, label[0] - int(line * 0.5))
    stop = min(stop, ink.shape[1])
    below = ink[band[1]:min(ink.shape[0], band[1] + int(line * _ROWS_BELOW)), left:stop]
    rows = [run for run in _runs(below.sum(axis=1) > 0, max(1, int(line * 0.15))) if run[1] - run[0] >= line * _MIN_TEXT]
    if not rows:
        return None
    value_band = (band[1] + rows[0][0], band[1] + min(rows[0][1], rows[0][0] + int(line * _TALLEST_LINE)))
    clusters = _clusters(ink, value_band, left, stop, line)
    return _padded(ink, clusters[0], value_band, line) if clusters else None


def before_region(ink: Any, value: PixelBox, reach: int, line: float) -> PixelBox:
    """The value's line band from ``reach`` pixels left of the value to the value's right edge."""
    band = line_band(ink, value, line)
    return _padded(ink, (max(0, value[0] - reach), value[2]), band, line)


def value_region(ink: Any, value: PixelBox, line: float) -> PixelBox | None:
    """The runs of text on the value's line that overlap the value's box, each whole."""
    band = line_band(ink, value, line)
    reach = int(line * _VALUE_GAP * 4)
    clusters = [(left, right) for left, right in _clusters(ink, band, max(0, value[0] - reach),
                                                          min(ink.shape[1], value[2] + reach), line)
                if left < value[2] and right > value[0]]
    return _padded(ink, (clusters[0][0], clusters[-1][1]), band, line) if clusters else None
