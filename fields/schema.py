"""The field schema of a knowledge base: which fields to read, how to check them, when to ask a person.

Example::

    {"fields": [{"name": "supplier_brn", "label": "공급자 등록번호", "type": "brn",
                 "aliases": ["등록번호", "사업자등록번호", "Business No."], "required": true}],
     "rules": [{"name": "total", "kind": "sum", "fields": ["total", "supply", "tax"], "tolerance": 1}],
     "duplicate_key": ["supplier_brn", "invoice_no"], "review_threshold": 0.9}

Rule kinds (the first field is the one checked):

* ``sum``: fields[0] = fields[1] + fields[2] + ... within ``tolerance``.
* ``equals``: every field has the same normalised value.
* ``before``: fields[0] is on or before fields[1] (dates).
* ``ratio``: fields[0] = ⌊fields[1] × ``ratio``⌋ within ``tolerance`` (tax = 10% of supply, truncated).
* ``regex``: every field matches ``pattern``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from jisik.errors import InvalidInput

from .patterns import check_pattern

__all__ = ["FieldSchema", "FieldSpec", "FieldType", "RuleSpec", "parse_schema"]

MAX_FIELDS = 100
MAX_RULES = 100


class FieldType(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    AMOUNT = "amount"
    DATE = "date"
    BRN = "brn"
    RRN = "rrn"
    FRN = "frn"
    CORP_NO = "corp_no"
    PHONE = "phone"
    EMAIL = "email"
    CARD = "card"
    ACCOUNT = "account"
    ENUM = "enum"
    REGEX = "regex"


class FieldSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    label: str = Field("", max_length=200)
    type: FieldType = FieldType.TEXT
    aliases: list[str] = Field(default_factory=list, max_length=30)
    required: bool = False
    pattern: str = Field("", max_length=500)
    # Allowed values of an ``enum`` field.
    values: list[str] = Field(default_factory=list, max_length=200)
    # How the expected value is compared: exact text, normalised value, or fuzzy similarity >= threshold.
    match: Literal["exact", "normalized", "fuzzy"] = "normalized"
    similarity: float = Field(0.85, ge=0.0, le=1.0)

    def labels(self) -> list[str]:
        """Every text that may stand before the value in a document, longest first."""
        found = {text.strip() for text in (self.label, *self.aliases) if text.strip()}
        return sorted(found, key=len, reverse=True)


class RuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    kind: Literal["sum", "equals", "before", "ratio", "regex"]
    fields: list[str] = Field(min_length=1, max_length=20)
    tolerance: float = Field(0.0, ge=0.0)
    ratio: float = 0.1
    pattern: str = Field("", max_length=500)


class FieldSchema(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fields: list[FieldSpec] = Field(default_factory=list, max_length=MAX_FIELDS)
    rules: list[RuleSpec] = Field(default_factory=list, max_length=MAX_RULES)
    duplicate_key: list[str] = Field(default_factory=list, max_length=10)
    review_threshold: float = Field(0.9, ge=0.0, le=1.0)

    def field(self, name: str) -> FieldSpec | None:
        return next((spec for spec in self.fields if spec.name == name), None)


_MIN_FIELDS = {"sum": 2, "equals": 2, "before": 2, "ratio": 2, "regex": 1}


def _check_references(schema: FieldSchema) -> None:
    names = [spec.name for spec in schema.fields]
    if len(set(names)) != len(names):
        duplicate = next(name for name in names if names.count(name) > 1)
        raise InvalidInput(f"fields.{duplicate}: the field name is used twice", field=f"fields.{duplicate}")
    for spec in schema.fields:
        if spec.pattern:
            check_pattern(spec.pattern, field=f"fields.{spec.name}.pattern")
        if spec.type == FieldType.REGEX and not spec.pattern:
            raise InvalidInput(f"fields.{spec.name}: a regex field needs a pattern", field=f"fields.{spec.name}")
        if spec.type == FieldType.ENUM and not spec.values:
            raise InvalidInput(f"fields.{spec.name}: an enum field needs values", field=f"fields.{spec.name}")
    known = set(names)
    for rule in schema.rules:
        for name in rule.fields:
            if name not in known:
                raise InvalidInput(f"rules.{rule.name}: unknown field {name!r}", field=f"rules.{rule.name}.fields")
        if len(rule.fields) < _MIN_FIELDS[rule.kind]:
            raise InvalidInput(f"rules.{rule.name}: a {rule.kind} rule needs at least {_MIN_FIELDS[rule.kind]} fields",
                               field=f"rules.{rule.name}.fields")
        if rule.kind == "regex":
            if not rule.pattern:
                raise InvalidInput(f"rules.{rule.name}: a regex rule needs a pattern", field=f"rules.{rule.name}")
            check_pattern(rule.pattern, field=f"rules.{rule.name}.pattern")
    for name in schema.duplicate_key:
        if name not in known:
            raise InvalidInput(f"duplicate_key: unknown field {name!r}", field="duplicate_key")


def _location(error: Any, body: Any) -> str:
    """``fields.<name>.type`` rather than ``fields.3.type``, so the message names the field."""
    parts: list[str] = []
    node = body
    for step in error["loc"]:
        if isinstance(step, int) and isinstance(node, list) and step < len(node):
            node = node[step]
            name = node.get("name") if isinstance(node, dict) else None
            parts.append(str(name) if name else str(step))
        else:
            parts.append(str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return ".".join(parts)


def parse_schema(body: Any) -> FieldSchema:
    """Validate a schema body. :raises InvalidInput: naming the offending field or rule."""
    try:
        schema = FieldSchema.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = _location(first, body)
        raise InvalidInput(f"{where}: {first['msg']}", field=where) from exc
    _check_references(schema)
    return schema
