"""stream_filter: split model output into ``thinking`` and ``answer``, turn a no-answer (the prompt's
marker, or the model's ``no_answer`` finish reason) into the session's fallback response, and keep
citations honest (see chat.citations)."""

from __future__ import annotations

from collections.abc import Iterable

from ..citations import CitationGuard

__all__ = ["NoAnswerGate", "StreamFilter", "ThinkSplitter"]

OPEN, CLOSE = "<think>", "</think>"


def _partial_suffix(text: str, tag: str) -> int:
    """Length of the longest end of ``text`` that could be the start of ``tag``."""
    for size in range(min(len(tag) - 1, len(text)), 0, -1):
        if tag.startswith(text[-size:]):
            return size
    return 0


class ThinkSplitter:
    """Routes text inside <think>...</think> (tags may be split across deltas) to ``thinking``."""

    def __init__(self) -> None:
        self._buffer = ""
        self._inside = False

    def feed(self, delta: str) -> list[tuple[str, str]]:
        self._buffer += delta
        out: list[tuple[str, str]] = []
        while self._buffer:
            tag = CLOSE if self._inside else OPEN
            kind = "thinking" if self._inside else "answer"
            index = self._buffer.find(tag)
            if index != -1:
                if index:
                    out.append((kind, self._buffer[:index]))
                self._buffer = self._buffer[index + len(tag) :]
                self._inside = not self._inside
                continue
            keep = _partial_suffix(self._buffer, tag)
            text = self._buffer[: len(self._buffer) - keep]
            if text:
                out.append((kind, text))
            self._buffer = self._buffer[len(self._buffer) - keep :]
            break
        return out

    def finish(self) -> list[tuple[str, str]]:
        text, self._buffer = self._buffer, ""
        return [("thinking" if self._inside else "answer", text)] if text else []


class NoAnswerGate:
    """Holds the answer back while it could still be a no-answer marker; an answer that is only a
    marker (or empty) becomes the fallback response."""

    _TRAIL = " .。!\n"

    def __init__(self, markers: Iterable[str], fallback: str) -> None:
        self._markers = tuple(m.strip().rstrip(self._TRAIL) for m in markers if m.strip().rstrip(self._TRAIL))
        self._fallback = fallback
        self._pending = ""
        self._decided = False
        self.no_answer = False

    def _could_be_marker(self, head: str) -> bool:
        return not head or any(
            marker.startswith(head) or (head.startswith(marker) and not head[len(marker) :].strip(self._TRAIL))
            for marker in self._markers
        )

    def feed(self, text: str) -> str:
        if self._decided:
            return text
        self._pending += text
        if self._could_be_marker(self._pending.lstrip()):
            return ""
        self._decided = True
        text, self._pending = self._pending, ""
        return text

    def finish(self, *, no_answer: bool = False) -> str:
        """The held-back text, or the fallback when it was a marker, empty, or ``no_answer`` (the
        model's finish reason) says so. Text already let through stays."""
        if self._decided:
            return ""
        head = self._pending.strip().rstrip(self._TRAIL)
        text, self._pending = self._pending, ""
        if no_answer or not head or head in self._markers:
            self.no_answer = True
            return self._fallback
        return text


class StreamFilter:
    """think split -> no-answer gate -> citation guard. ``feed`` and ``finish`` return (kind, text) events."""

    def __init__(self, *, markers: Iterable[str], fallback: str, passage_count: int) -> None:
        self._think = ThinkSplitter()
        self._gate = NoAnswerGate(markers, fallback)
        self._citations = CitationGuard(passage_count)

    @property
    def cited(self) -> set[int]:
        return self._citations.cited

    @property
    def no_answer(self) -> bool:
        return self._gate.no_answer

    def _route(self, parts: list[tuple[str, str]]) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for kind, text in parts:
            if kind == "thinking":
                out.append((kind, text))
            elif answer := self._citations.feed(self._gate.feed(text)):
                out.append(("answer", answer))
        return out

    def feed(self, delta: str) -> list[tuple[str, str]]:
        return self._route(self._think.feed(delta))

    def finish(self, *, no_answer: bool = False) -> list[tuple[str, str]]:
        """Flush; ``no_answer`` is the model's finish reason saying the passages hold no answer."""
        out = self._route(self._think.finish())
        closing = self._gate.finish(no_answer=no_answer)
        if self._gate.no_answer:
            out.append(("answer", closing))
            return out
        tail = self._citations.feed(closing) + self._citations.finish()
        if tail:
            out.append(("answer", tail))
        return out
