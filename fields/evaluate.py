"""Validation of extracted fields: expected values, required fields, formats and checksums, cross-field
rules. The outcome decides the status: ``auto_approved`` when every field is at or above the threshold and
every check passed, ``rejected`` on a hard failure (a checksum-invalid number read from a text layer),
otherwise ``needs_review``. People's decisions become ``approved`` or ``rejected``."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from enum import StrEnum
from typing import Any

from .checks import field_findings
from .extract import Extracted
from .normalize import find_value
from .rules import run_rule
from .schema import FieldSchema, FieldSpec

__all__ = ["Check", "FieldResult", "Outcome", "Status", "evaluate"]


class Status(StrEnum):
    AUTO_APPROVED = "auto_approved"
    NEEDS_REVIEW = "needs_review"
    REJECTED = "rejected"
    APPROVED = "approved"


@dataclass
class Check:
    rule: str
    ok: bool
    message: str = ""


@dataclass
class FieldResult:
    name: str
    value: str
    normalized: str
    confidence: float
    page: int | None = None
    bbox: list[float] | None = None
    source_text: str = ""
    note: str = ""
    reviewed: bool = False
    checks: list[Check] = field(default_factory=list)


@dataclass
class Outcome:
    status: Status
    fields: list[FieldResult]
    errors: list[dict[str, str]]
    duplicate_of: str = ""

    @property
    def validated_data(self) -> dict[str, str]:
        return {result.name: result.normalized for result in self.fields if result.normalized}

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "fields": [asdict(result) for result in self.fields],
            "errors": self.errors,
            "duplicate_of": self.duplicate_of,
        }


def _expected_matches(spec: FieldSpec, expected: str, result: FieldResult) -> bool:
    if spec.match == "exact":
        return " ".join(expected.split()) == " ".join(result.value.split())
    wanted = find_value(spec, expected)
    wanted_text = wanted.normalized if wanted is not None else " ".join(expected.split())
    if spec.match == "normalized":
        return wanted_text == result.normalized
    return SequenceMatcher(None, wanted_text.casefold(), result.normalized.casefold()).ratio() >= spec.similarity


def _result_of(spec: FieldSpec, extracted: Extracted | None, correction: str | None) -> FieldResult | None:
    if correction is not None:
        value = find_value(spec, correction)
        normalized = value.normalized if value is not None else " ".join(correction.split())
        return FieldResult(spec.name, correction, normalized, 1.0, reviewed=True,
                           page=extracted.page if extracted else None,
                           bbox=list(extracted.bbox) if extracted and extracted.bbox else None,
                           source_text=extracted.source_text if extracted else "")
    if extracted is None:
        return None
    return FieldResult(spec.name, extracted.value, extracted.normalized, extracted.confidence, extracted.page,
                       list(extracted.bbox) if extracted.bbox else None, extracted.source_text, extracted.note)


_CONFIRMING_RULES = ("sum", "ratio", "equals")


def _verified(schema: FieldSchema, results: list[FieldResult], values: dict[str, str], placed: set[str]) -> set[str]:
    """Fields whose value is confirmed independently of how sure the reading was: a passing checksum (of a
    number read next to its label: a checksum cannot tell whose number it is), or a passing arithmetic
    rule tying it to other fields (a misread digit would break the sum)."""
    confirmed = {r.name for r in results if r.name not in placed
                 and any(c.rule == "checksum" and c.ok and not c.message for c in r.checks)}
    for rule in schema.rules:
        if rule.kind in _CONFIRMING_RULES and run_rule(rule, values)[0]:
            confirmed.update(rule.fields)
    return confirmed


def evaluate(
    schema: FieldSchema,
    extracted: dict[str, Extracted],
    *,
    expected: dict[str, str] | None = None,
    corrections: dict[str, str] | None = None,
    duplicate_of: str = "",
) -> Outcome:
    """Check the readings (with a reviewer's corrections applied) and decide the status."""
    expected = expected or {}
    corrections = corrections or {}
    results: list[FieldResult] = []
    errors: list[dict[str, str]] = []
    hard = soft = False

    def fail(name: str, rule: str, message: str, *, is_hard: bool = False) -> None:
        nonlocal hard, soft
        errors.append({"field": name, "rule": rule, "message": message})
        hard, soft = hard or is_hard, soft or not is_hard

    for spec in schema.fields:
        reading = extracted.get(spec.name)
        result = _result_of(spec, reading, corrections.get(spec.name))
        if result is None:
            if spec.required:
                fail(spec.name, "required", f"{spec.name}: not found in the document")
            if spec.name in expected:
                fail(spec.name, "expected", f"{spec.name}: expected a value but none was found")
            continue
        results.append(result)
        for check_name, passed, message, is_hard in field_findings(spec, result.value, result.normalized):
            result.checks.append(Check(check_name, passed, message))
            if not passed:
                fail(spec.name, check_name, message, is_hard=is_hard and not result.reviewed and not (reading and reading.ocr))
        if spec.name in expected:
            same = _expected_matches(spec, str(expected[spec.name]), result)
            result.checks.append(Check("expected", same, "" if same else f"{spec.name}: differs from the expected value"))
            if not same:
                fail(spec.name, "expected", f"{spec.name}: differs from the expected value")
    values = {result.name: result.normalized for result in results}
    placed = {name for name, reading in extracted.items() if reading.placed and name not in corrections}
    verified = _verified(schema, results, values, placed)
    if any(r.confidence < schema.review_threshold and r.name not in verified for r in results):
        soft = True
    for rule in schema.rules:
        decided, message = run_rule(rule, values)
        if decided is None:
            continue
        for result in results:
            if result.name in rule.fields:
                result.checks.append(Check(rule.name, decided, message))
        if not decided:
            fail(rule.fields[0], rule.name, message)
    if duplicate_of:
        fail(",".join(schema.duplicate_key), "duplicate", "another document has the same " +
             ", ".join(schema.duplicate_key))
    status = Status.REJECTED if hard else Status.NEEDS_REVIEW if soft else Status.AUTO_APPROVED
    return Outcome(status, results, errors, duplicate_of)
