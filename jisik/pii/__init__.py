"""Korean-first detection of personal data (PII) in text: pure functions, no I/O, no models.

``detect(text)`` returns :class:`Hit` objects (type, span, confidence) for 주민등록번호, 외국인등록번호,
사업자등록번호, 법인등록번호, phone numbers, e-mail, cards, bank accounts, passports, driver's licences,
addresses and person names, plus e-mail, phone, card and IBAN in English and Chinese text."""

from jisik.pii.detect import DEFAULT_MIN_CONFIDENCE, detect
from jisik.pii.hits import Hit, PiiType
from jisik.pii.mask import MaskPolicy, StreamRestorer, Vault, scrub

__all__ = [
    "DEFAULT_MIN_CONFIDENCE",
    "Hit",
    "MaskPolicy",
    "PiiType",
    "StreamRestorer",
    "Vault",
    "detect",
    "scrub",
]
