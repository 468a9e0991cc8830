"""Per-field checks: the identifier checksum of the field's type, its pattern, its enum values."""

from __future__ import annotations

from collections.abc import Callable

from jisik.identifiers import Verdict, check_brn, check_card, check_corp_no, check_frn, check_rrn

from .patterns import PatternTimeout, full_match
from .schema import FieldSpec, FieldType

__all__ = ["Finding", "field_findings", "identifier_verdict"]

_VALIDATORS: dict[FieldType, Callable[[str], Verdict]] = {
    FieldType.BRN: check_brn,
    FieldType.CORP_NO: check_corp_no,
    FieldType.RRN: check_rrn,
    FieldType.FRN: check_frn,
    FieldType.CARD: check_card,
}


def identifier_verdict(field_type: FieldType, normalized: str) -> Verdict | None:
    """The checksum verdict for identifier types; None for types without one."""
    validator = _VALIDATORS.get(field_type)
    return validator(normalized) if validator is not None else None


# (rule, ok, message, hard): a hard failure rejects the document instead of sending it to review.
Finding = tuple[str, bool, str, bool]


def field_findings(spec: FieldSpec, raw: str, normalized: str) -> list[Finding]:
    findings: list[Finding] = []
    verdict = identifier_verdict(spec.type, normalized)
    if verdict is Verdict.INVALID:
        findings.append(("checksum", False, f"{spec.name}: the {spec.type.value} checksum fails", True))
    elif verdict is Verdict.UNVERIFIABLE:
        findings.append(("checksum", True,
                         f"{spec.name}: the checksum cannot be verified (numbers issued since October 2020)", False))
    elif verdict is Verdict.VALID:
        findings.append(("checksum", True, "", False))
    if spec.pattern:
        try:
            matched = full_match(spec.pattern, raw) or full_match(spec.pattern, normalized)
        except PatternTimeout:
            findings.append(("format", False, f"{spec.name}: the pattern took too long on this value", False))
        else:
            findings.append(("format", matched, "" if matched else f"{spec.name}: does not match its pattern",
                             False))
    return findings
