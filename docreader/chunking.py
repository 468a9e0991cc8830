"""Split one ordered text stream into chunks without ever cutting an atomic unit.

Atomic units (Markdown tables, fenced code, ``$$`` math blocks, images, links) are found by the named
regexes in :data:`ATOMIC_PATTERNS`; the text between them is split at the configured separators (the
separators stay as their own units). Units are packed in document order up to ``chunk_size``; the next
chunk starts with whole trailing units of the previous one (the overlap). A table larger than a chunk is
split only between rows, and every continuation piece repeats the header rows. Plain text longer than a
chunk (no separator inside) is split at spaces, or hard as a last resort, so nothing is ever dropped.

The module is pure: no I/O, no settings. :class:`Chunker` is incremental so a streaming caller can feed
page by page and send chunks as soon as they are complete.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from jisik.errors import InvalidInput

from .models import TextChunk

__all__ = [
    "ATOMIC_PATTERNS",
    "DEFAULT_SEPARATORS",
    "ChunkingConfig",
    "Chunker",
    "PageIndex",
    "Unit",
    "chunk_text",
    "split_units",
]

DEFAULT_CHUNK_SIZE = 512
DEFAULT_CHUNK_OVERLAP = 50
DEFAULT_SEPARATORS: tuple[str, ...] = ("\n\n", "\n", "。")

ATOMIC_PATTERNS: dict[str, re.Pattern[str]] = {
    "table": re.compile(
        r"^\|.*\|[ \t]*\r?\n(?:[ \t]*\r?\n)?^\|[ \t]*:?-{2,}.*(?:\r?\n|\Z)(?:^\|.*\|[ \t]*(?:\r?\n|\Z))*",
        re.MULTILINE,
    ),
    "code": re.compile(r"```[\s\S]*?```"),
    "math": re.compile(r"\$\$[\s\S]*?\$\$"),
    "image": re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)|<img\s[^>]*>"),
    "link": re.compile(r"(?<!!)\[[^\]\n]*\]\([^)\n]*\)"),
}

_TOKEN = re.compile(
    r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"
    r"|[^\W_]+|[^\w\s]"
)

SizeUnit = Literal["chars", "tokens"]


def _token_length(text: str) -> int:
    """Approximate tokens: one per CJK character, one per word, one per punctuation mark."""
    return sum(1 for _ in _TOKEN.finditer(text))


@dataclass(frozen=True, slots=True)
class ChunkingConfig:
    """How to chunk. Lengths are characters unless ``size_unit`` is ``"tokens"``."""

    chunk_size: int = DEFAULT_CHUNK_SIZE
    chunk_overlap: int = DEFAULT_CHUNK_OVERLAP
    separators: tuple[str, ...] = DEFAULT_SEPARATORS
    size_unit: SizeUnit = "chars"

    def __post_init__(self) -> None:
        if self.chunk_size < 1:
            raise InvalidInput("chunk_size must be positive", field="chunk_size")
        if not 0 <= self.chunk_overlap < self.chunk_size:
            raise InvalidInput(
                "chunk_overlap must be >= 0 and smaller than chunk_size", field="chunk_overlap"
            )
        if not self.separators or any(not sep for sep in self.separators):
            raise InvalidInput("separators must be non-empty strings", field="separators")
        if self.size_unit not in ("chars", "tokens"):
            raise InvalidInput("size_unit must be 'chars' or 'tokens'", field="size_unit")

    @classmethod
    def from_request(
        cls, chunk_size: int, chunk_overlap: int, separators: Sequence[str], size_unit: str = ""
    ) -> ChunkingConfig:
        """WeKnora semantics: a zero or empty field means the default."""
        if chunk_size < 0 or chunk_overlap < 0:
            raise InvalidInput("chunk_size and chunk_overlap may not be negative", field="read_config")
        size = chunk_size or DEFAULT_CHUNK_SIZE
        overlap = chunk_overlap or DEFAULT_CHUNK_OVERLAP
        if not chunk_overlap and overlap >= size:
            overlap = size // 10
        return cls(
            chunk_size=size,
            chunk_overlap=overlap,
            separators=tuple(separators) or DEFAULT_SEPARATORS,
            size_unit=(size_unit or "chars"),  # type: ignore[arg-type]  # ChunkingConfig validates the unit
        )

    @property
    def length(self) -> Callable[[str], int]:
        return _token_length if self.size_unit == "tokens" else len


@dataclass(frozen=True, slots=True)
class Unit:
    """A piece of the stream: ``text`` sits at ``start``; ``prefix`` is repeated table header."""

    text: str
    start: int
    kind: str
    prefix: str = ""

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def _atomic_ranges(text: str) -> list[tuple[int, int, str]]:
    found = sorted(
        (match.start(), match.end(), kind)
        for kind, pattern in ATOMIC_PATTERNS.items()
        for match in pattern.finditer(text)
        if match.end() > match.start()
    )
    merged: list[tuple[int, int, str]] = []
    for start, end, kind in found:
        if merged and start < merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2])
        else:
            merged.append((start, end, kind))
    return merged


def _split_table(unit: Unit, config: ChunkingConfig) -> list[Unit]:
    """Cut a too-large table between rows; continuation pieces carry the header as prefix."""
    lines = unit.text.splitlines(keepends=True)
    sep_index = next(i for i, line in enumerate(lines) if re.match(r"^\|[ \t]*:?-{2,}", line))
    header = "".join(lines[: sep_index + 1])
    if not header.endswith("\n"):
        header += "\n"
    rows = lines[sep_index + 1 :]
    length = config.length
    pieces: list[Unit] = []
    offset, current, prefix, has_rows = unit.start, "".join(lines[: sep_index + 1]), "", False
    for row in rows:
        if has_rows and length(prefix + current + row) > config.chunk_size:
            pieces.append(Unit(current, offset, "table", prefix))
            offset += len(current)
            current, prefix, has_rows = "", header, False
        current += row
        has_rows = True
    pieces.append(Unit(current, offset, "table", prefix))
    return pieces


def _split_long_text(unit: Unit, config: ChunkingConfig) -> list[Unit]:
    """Cut plain text without separators at spaces (or hard) so each piece fits a chunk."""
    length = config.length
    pieces: list[Unit] = []
    text, offset = unit.text, unit.start
    while length(text) > config.chunk_size:
        cut = _fit_prefix(text, config.chunk_size, length)
        space = text.rfind(" ", 0, cut)
        if space > cut // 2:
            cut = space + 1
        pieces.append(Unit(text[:cut], offset, unit.kind))
        text, offset = text[cut:], offset + cut
    if text:
        pieces.append(Unit(text, offset, unit.kind))
    return pieces


def _fit_prefix(text: str, size: int, length: Callable[[str], int]) -> int:
    """Largest n (>= 1) with length(text[:n]) <= size."""
    if length is len:
        return max(1, size)
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if length(text[:middle]) <= size:
            low = middle
        else:
            high = middle - 1
    return low


def split_units(text: str, config: ChunkingConfig, *, base: int = 0) -> list[Unit]:
    """Ordered units of ``text`` whose offsets start at ``base``; joining their texts gives ``text``."""
    separators = sorted(config.separators, key=len, reverse=True)
    splitter = re.compile("(" + "|".join(re.escape(sep) for sep in separators) + ")")
    length = config.length
    units: list[Unit] = []

    def add_plain(segment: str, at: int) -> None:
        for part in splitter.split(segment):
            if not part:
                continue
            kind = "sep" if part in config.separators else "text"
            unit = Unit(part, base + at, kind)
            units.extend(_split_long_text(unit, config) if length(part) > config.chunk_size else [unit])
            at += len(part)

    cursor = 0
    for start, end, kind in _atomic_ranges(text):
        if start > cursor:
            add_plain(text[cursor:start], cursor)
        unit = Unit(text[start:end], base + start, kind)
        if kind == "table" and length(unit.text) > config.chunk_size:
            units.extend(_split_table(unit, config))
        else:
            units.append(unit)
        cursor = end
    if cursor < len(text):
        add_plain(text[cursor:], cursor)
    return units


class Chunker:
    """Incremental packer: ``feed`` text segments in stream order, then ``finish``."""

    def __init__(self, config: ChunkingConfig) -> None:
        self.config = config
        self._length = config.length
        self._units: list[Unit] = []
        self._size = 0
        self._offset = 0
        self._seq = 0

    @property
    def offset(self) -> int:
        """Length of the stream fed so far."""
        return self._offset

    def feed(self, text: str) -> list[TextChunk]:
        units = split_units(text, self.config, base=self._offset)
        self._offset += len(text)
        out: list[TextChunk] = []
        for unit in units:
            out.extend(self._add(unit))
        return out

    def finish(self) -> list[TextChunk]:
        chunk = self._emit()
        self._units, self._size = [], 0
        return [chunk] if chunk else []

    def _add(self, unit: Unit) -> list[TextChunk]:
        size = self._length(unit.prefix + unit.text)
        out: list[TextChunk] = []
        if self._units and (unit.prefix or self._size + size > self.config.chunk_size):
            chunk = self._emit()
            if chunk:
                out.append(chunk)
            self._units = [] if unit.prefix else self._overlap()
            self._size = sum(self._length(u.text) for u in self._units)
            if self._size + size > self.config.chunk_size:
                self._units, self._size = [], 0
        self._units.append(unit)
        self._size += size
        return out

    def _overlap(self) -> list[Unit]:
        """Whole trailing units of the last chunk, at most ``chunk_overlap`` long, no leading separator."""
        budget = min(self.config.chunk_overlap, self._size)
        kept: list[Unit] = []
        used = 0
        for unit in reversed(self._units):
            if unit.prefix:
                break
            size = self._length(unit.text)
            if used + size > budget:
                break
            kept.insert(0, unit)
            used += size
        while kept and kept[0].kind == "sep":
            kept.pop(0)
        return kept

    def _emit(self) -> TextChunk | None:
        if not self._units:
            return None
        body = "".join(unit.text for unit in self._units)
        if not body.strip():
            return None
        first = self._units[0]
        chunk = TextChunk(
            seq=self._seq,
            start=first.start,
            end=first.start + len(body),
            content=first.prefix + body,
            prefix=first.prefix,
        )
        self._seq += 1
        return chunk


def chunk_text(text: str, config: ChunkingConfig) -> list[TextChunk]:
    """Chunk a whole stream at once."""
    chunker = Chunker(config)
    return [*chunker.feed(text), *chunker.finish()]


class PageIndex:
    """Maps stream offsets to 1-based page numbers, given where each page starts and ends."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def add(self, start: int, end: int) -> None:
        self._starts.append(start)
        self._ends.append(end)

    def pages(self, start: int, end: int) -> tuple[int, ...]:
        first = max(0, bisect.bisect_right(self._starts, start) - 1)
        last = bisect.bisect_left(self._starts, end)
        return tuple(
            index + 1
            for index in range(first, last)
            if self._starts[index] < end and self._ends[index] > start
        )
