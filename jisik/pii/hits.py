"""What a detector reports: the kind of personal data, where it is, and how sure the detector is."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Hit", "PiiType"]


class PiiType(StrEnum):
    RRN = "RRN"  # 주민등록번호
    FRN = "FRN"  # 외국인등록번호
    BRN = "BRN"  # 사업자등록번호
    CORP = "CORP"  # 법인등록번호
    PHONE = "PHONE"
    EMAIL = "EMAIL"
    CARD = "CARD"
    ACCOUNT = "ACCOUNT"  # bank account, only with a bank name or 계좌 nearby
    PASSPORT = "PASSPORT"
    DRIVER = "DRIVER"  # 운전면허번호
    ADDRESS = "ADDRESS"  # road-name (도로명) and lot-number (지번) addresses
    NAME = "NAME"  # Korean person names next to a title or a form label
    IBAN = "IBAN"


@dataclass(frozen=True, slots=True)
class Hit:
    type: PiiType
    start: int
    end: int
    confidence: float

    def text_in(self, text: str) -> str:
        return text[self.start : self.end]
