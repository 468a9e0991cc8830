"""Length-preserving folding of full-width digits, letters and punctuation to ASCII, so one set of
patterns reads ０１０－１２３４ as well as 010-1234 and every offset still points into the original text."""

from __future__ import annotations

__all__ = ["fold"]

_TABLE = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_TABLE.update(
    {0x3000: 0x20, 0x00A0: 0x20, 0x2010: 0x2D, 0x2011: 0x2D, 0x2012: 0x2D, 0x2013: 0x2D, 0x2212: 0x2D}
)


def fold(text: str) -> str:
    """``text`` with full-width forms, no-break and ideographic spaces and dash variants made ASCII."""
    return text.translate(_TABLE)
