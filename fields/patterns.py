"""User-supplied regular expressions, compiled and run with a time limit so a catastrophic pattern cannot
stall a worker (the ``regex`` package enforces the timeout inside the matcher)."""

from __future__ import annotations

from functools import lru_cache

import regex

from jisik.errors import InvalidInput

__all__ = ["PatternTimeout", "check_pattern", "full_match"]

MATCH_TIMEOUT_S = 0.05
MAX_PATTERN_CHARS = 500
# Probe strings that make a catastrophically backtracking pattern run away within the time limit.
_PROBES = tuple(c * 2000 + "!" for c in ("a", "1", "가", "-", " "))


class PatternTimeout(InvalidInput):
    code = "pattern_timeout"


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> regex.Pattern[str]:
    return regex.compile(pattern)


def check_pattern(pattern: str, *, field: str) -> None:
    """Reject a pattern that does not compile, is too long, or runs past the time limit on probe inputs.

    :raises InvalidInput: naming ``field``.
    """
    if len(pattern) > MAX_PATTERN_CHARS:
        raise InvalidInput(f"{field}: the pattern is longer than {MAX_PATTERN_CHARS} characters", field=field)
    try:
        compiled = _compiled(pattern)
    except regex.error as exc:
        raise InvalidInput(f"{field}: the pattern does not compile ({exc})", field=field) from exc
    for probe in _PROBES:
        try:
            compiled.search(probe, timeout=MATCH_TIMEOUT_S)
        except TimeoutError as exc:
            raise InvalidInput(f"{field}: the pattern is too slow (catastrophic backtracking)", field=field) from exc


def full_match(pattern: str, text: str) -> bool:
    """Whether ``text`` matches ``pattern`` entirely. :raises PatternTimeout: past the time limit."""
    try:
        return _compiled(pattern).fullmatch(text, timeout=MATCH_TIMEOUT_S) is not None
    except TimeoutError as exc:
        raise PatternTimeout("the pattern took too long on this value") from exc
