"""Reversible masking: each detected value becomes a typed placeholder (``⟦RRN_1⟧``), the same value the
same placeholder everywhere in one :class:`Vault`, and the placeholders in a model's streamed answer turn
back into the values."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from enum import StrEnum

from jisik.pii.detect import detect
from jisik.pii.hits import PiiType

__all__ = ["MaskPolicy", "StreamRestorer", "Vault", "scrub"]

OPEN, CLOSE = "⟦", "⟧"
_PLACEHOLDER = re.compile(f"{OPEN}([A-Z]+_\\d+){CLOSE}")
# The longest placeholder a stream may split (``⟦ADDRESS_9999⟧``), so a restorer knows how much to hold.
_MAX_PLACEHOLDER = 16


def scrub(text: str) -> str:
    """``text`` with each detected value replaced by its type (``⟦PHONE⟧``), for good: logs, spans,
    dead letters."""
    parts: list[str] = []
    at = 0
    for hit in detect(text):
        parts += [text[at : hit.start], f"{OPEN}{hit.type.value}{CLOSE}"]
        at = hit.end
    parts.append(text[at:])
    return "".join(parts)


class MaskPolicy(StrEnum):
    OFF = "off"
    REMOTE = "remote"  # mask what goes to remote models only
    ALWAYS = "always"

    def applies(self, *, remote: bool) -> bool:
        return self is MaskPolicy.ALWAYS or (self is MaskPolicy.REMOTE and remote)


class Vault:
    """The placeholders of one conversation; ``types`` limits what is masked (``None`` = every type)."""

    def __init__(self, types: Iterable[PiiType] | None = None) -> None:
        self._types = frozenset(types) if types is not None else None
        self._by_value: dict[str, str] = {}
        self._by_placeholder: dict[str, str] = {}
        self._counts: Counter[PiiType] = Counter()

    def _placeholder(self, kind: PiiType, value: str) -> str:
        if value not in self._by_value:
            self._counts[kind] += 1
            placeholder = f"{OPEN}{kind.value}_{self._counts[kind]}{CLOSE}"
            self._by_value[value] = placeholder
            self._by_placeholder[placeholder] = value
        return self._by_value[value]

    def mask(self, text: str) -> str:
        parts: list[str] = []
        at = 0
        for hit in detect(text, types=self._types):
            parts += [text[at : hit.start], self._placeholder(hit.type, hit.text_in(text))]
            at = hit.end
        parts.append(text[at:])
        return "".join(parts)

    def restore(self, text: str) -> str:
        return _PLACEHOLDER.sub(lambda m: self._by_placeholder.get(m.group(0), m.group(0)), text)

    @property
    def masked(self) -> int:
        """How many distinct values this vault has replaced."""
        return len(self._by_value)


class StreamRestorer:
    """Restores placeholders in a stream of deltas; a placeholder split across deltas is held back until
    it is complete (at most a few characters)."""

    def __init__(self, vault: Vault) -> None:
        self._vault = vault
        self._pending = ""

    def feed(self, delta: str) -> str:
        text = self._pending + delta
        cut = text.rfind(OPEN)
        if cut != -1 and CLOSE not in text[cut:] and len(text) - cut < _MAX_PLACEHOLDER:
            self._pending, text = text[cut:], text[:cut]
        else:
            self._pending = ""
        return self._vault.restore(text)

    def finish(self) -> str:
        text, self._pending = self._pending, ""
        return self._vault.restore(text)
