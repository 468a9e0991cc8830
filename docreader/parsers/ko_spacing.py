"""Korean word spacing where a text layer lost it, with kiwipiepy's spacing model.

Kiwi costs about 300 MiB and a second to load, so it is loaded only when a page needs it (a long
Hangul run without spaces, or a wrap whose word split the layout cannot tell) and shared by every
parser in the process.
"""

from __future__ import annotations

import os
import re
import threading
import warnings
from functools import cache
from typing import Any

__all__ = ["has_hangul", "joins_as_one_word", "lost_spaces", "restore_spaces"]

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_lock = threading.Lock()


@cache
def _kiwi() -> Any:
    # Kiwi's allocator (mimalloc) reserves a 1 GiB arena when the library loads; parser processes run
    # under an address-space limit, so let it reserve as it goes (read once, at load).
    os.environ.setdefault("MIMALLOC_ARENA_RESERVE", "0")
    from kiwipiepy import Kiwi

    with warnings.catch_warnings():  # 0 = work in the calling thread (the warning is about its meaning)
        warnings.simplefilter("ignore", DeprecationWarning)
        return Kiwi(num_workers=0, model_type="cong", load_typo_dict=False, load_multi_dict=False)


def _space(text: str) -> str:
    """``text`` with the spaces Kiwi adds; spaces already there are kept (Kiwi sometimes drops them)."""
    with _lock:
        spaced = str(_kiwi().space(text, reset_whitespace=False))
    out: list[str] = []
    position = 0
    for char in text:
        if char.isspace():
            out.append(char)
            while position < len(spaced) and spaced[position].isspace():
                position += 1
            continue
        while position < len(spaced) and spaced[position] != char:
            if spaced[position] == " " and out and not out[-1].isspace():
                out.append(" ")
            position += 1
        out.append(char)
        position += 1
    return "".join(out)


def has_hangul(text: str) -> bool:
    return _HANGUL.search(text) is not None


def lost_spaces(text: str) -> bool:
    """True when Korean text has far fewer spaces than Korean writes (about one per 3-4 syllables)."""
    syllables = len(_HANGUL.findall(text))
    if syllables < 12:
        return False
    hangul_words = sum(1 for word in text.split() if _HANGUL.search(word))
    return syllables / max(1, hangul_words) >= 8


def restore_spaces(text: str) -> str:
    """``text`` with the spaces Kiwi's model puts back; existing spaces and line breaks are kept."""
    return "\n".join(_space(line) if lost_spaces(line) else line for line in text.split("\n"))


def joins_as_one_word(tail: str, head: str) -> bool:
    """Whether ``tail`` (the end of one line) and ``head`` (the start of the next) form one word."""
    spaced = _space(tail + head)
    seen = 0
    for index, char in enumerate(spaced):
        if char == " ":
            continue
        seen += 1
        if seen == len(tail):
            return not spaced[index + 1 : index + 2].isspace()
    return True
