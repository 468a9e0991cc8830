"""Citation checking for a streamed answer: every [n] must point at a passage that was sent.

``CitationGuard`` works on deltas: it holds back an unclosed ``[`` until it can tell whether it is a
citation, drops numbers outside 1..n (and the brackets when nothing is left), and records what was cited.
"""

from __future__ import annotations

import re

__all__ = ["CitationGuard", "cited_numbers"]

_GROUP = re.compile(r"\[(\d+(?:\s*[,，]\s*\d+)*)\]")
_MAX_HELD = 16


def cited_numbers(text: str) -> set[int]:
    """Every number cited as [n] or [n, m] in ``text``."""
    return {int(number) for group in _GROUP.findall(text) for number in re.split(r"\s*[,，]\s*", group)}


class CitationGuard:
    def __init__(self, passage_count: int) -> None:
        self._count = passage_count
        self._held = ""
        self.cited: set[int] = set()

    def _fix(self, match: re.Match[str]) -> str:
        numbers = [int(n) for n in re.split(r"\s*[,，]\s*", match.group(1))]
        valid = [n for n in dict.fromkeys(numbers) if 1 <= n <= self._count]
        self.cited.update(valid)
        return "".join(f"[{n}]" for n in valid)

    def _settle(self, text: str) -> str:
        while True:  # dropping "[0]" from "[0[0]]" leaves a new group to check
            fixed = _GROUP.sub(self._fix, text)
            if fixed == text:
                return fixed
            text = fixed

    def feed(self, delta: str) -> str:
        """The part of the answer that is safe to send now."""
        text = self._held + delta
        cut = text.rfind("[")
        if cut != -1 and "]" not in text[cut:] and len(text) - cut <= _MAX_HELD:
            self._held = text[cut:]
            text = text[:cut]
        else:
            self._held = ""
        return self._settle(text)

    def finish(self) -> str:
        text, self._held = self._held, ""
        return self._settle(text)
