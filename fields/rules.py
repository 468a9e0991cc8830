"""Cross-field rules of a schema, run on normalised values."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from .patterns import PatternTimeout, full_match
from .schema import RuleSpec

__all__ = ["RuleOutcome", "run_rule"]

# (ok, message); ok is None when a field the rule needs is missing, so it cannot be decided.
RuleOutcome = tuple[bool | None, str]


def _number(value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def run_rule(rule: RuleSpec, values: dict[str, str]) -> RuleOutcome:
    """Check ``rule`` against normalised ``values`` (name -> canonical string)."""
    present = [values.get(name) for name in rule.fields]
    if any(value is None or value == "" for value in present):
        missing = [name for name, value in zip(rule.fields, present, strict=True) if not value]
        return None, f"{rule.name}: cannot check without {', '.join(missing)}"
    head, rest = rule.fields[0], rule.fields[1:]
    if rule.kind == "equals":
        ok = len(set(present)) == 1
        return ok, "" if ok else f"{rule.name}: {', '.join(rule.fields)} differ"
    if rule.kind == "regex":
        try:
            failing = [name for name in rule.fields if not full_match(rule.pattern, values[name])]
        except PatternTimeout:
            return False, f"{rule.name}: the pattern took too long"
        return not failing, "" if not failing else f"{rule.name}: {', '.join(failing)} do not match"
    if rule.kind == "before":
        first, second = _day(values[head]), _day(values[rest[0]])
        if first is None or second is None:
            return False, f"{rule.name}: {head} and {rest[0]} must be dates"
        ok = first <= second
        return ok, "" if ok else f"{rule.name}: {head} ({first}) is after {rest[0]} ({second})"
    numbers = [_number(values[name]) for name in rule.fields]
    if any(number is None for number in numbers):
        return False, f"{rule.name}: {', '.join(rule.fields)} must be numbers"
    target, *parts = [n for n in numbers if n is not None]
    tolerance = Decimal(str(rule.tolerance))
    if rule.kind == "sum":
        expected = sum(parts, Decimal(0))
    else:  # ratio: truncated, as Korean tax amounts are
        expected = (parts[0] * Decimal(str(rule.ratio))).quantize(Decimal(1), rounding=ROUND_DOWN)
    ok = abs(target - expected) <= tolerance
    return ok, "" if ok else f"{rule.name}: {head} is {target}, expected {expected} (±{rule.tolerance})"
