"""What an audit event stores of a row change: the changed columns, before and after, masked.

Secrets (key hashes, webhook secrets, passwords, encrypted model keys, tokens) become ``***``: the
trail says that they changed, never what they are. Columns that carry document text (extracted
fields, chat content, summaries) become ``⟦TEXT⟧``. Every other string is scrubbed of personal data
with :func:`jisik.pii.scrub` (a title may carry a name or a phone number).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from jisik.pii import scrub

__all__ = ["DOCUMENT_TEXT", "SECRET", "Action", "action_of", "diff", "entity_type"]

SECRET = "***"
DOCUMENT_TEXT = "⟦TEXT⟧"

Action = Literal["created", "updated", "deleted"]

_SECRET_COLUMN = re.compile(r"(^|_)(hash|secret|secrets|password|password_hash|encrypted|token|signing_key)($|_)")
# Columns whose values come from a document's text (table-qualified where the name alone is ambiguous).
_DOCUMENT_COLUMNS = frozenset({
    "content", "knowledge_references", "fields", "validated_data", "corrections", "errors", "metadata",
    "summary", "source_text", "body_excerpt", "knowledges.description", "document_fields.errors",
})
# Bookkeeping that changes with every write (or use) and says nothing about what changed.
_NOISE = frozenset({"updated_at", "last_used_at", "last_signin_at", "last_seen_at"})
_ENTITY_TYPES = {
    "knowledges": "document",
    "knowledge_bases": "knowledge_base",
    "tenants": "tenant",
    "sessions": "chat_session",
    "messages": "message",
    "field_schemas": "field_schema",
    "document_fields": "document_fields",
    "field_reviews": "field_review",
    "models": "model",
    "webhook_endpoints": "webhook",
    "users": "user",
    "groups": "group",
    "group_members": "group_member",
    "api_keys": "api_key",
    "invitations": "invitation",
}
_ACTIONS: dict[str, Action] = {"c": "created", "u": "updated", "d": "deleted"}


def entity_type(table: str) -> str:
    """The API's name for what a table holds (``knowledges`` -> ``document``)."""
    return _ENTITY_TYPES.get(table, table)


def action_of(op: str) -> Action | None:
    """created / updated / deleted; None for snapshot reads and truncates (no one acted)."""
    return _ACTIONS.get(op)


def _mask(table: str, column: str, value: Any) -> Any:
    if value is None:
        return None
    if _SECRET_COLUMN.search(column):
        return SECRET
    if column in _DOCUMENT_COLUMNS or f"{table}.{column}" in _DOCUMENT_COLUMNS:
        return DOCUMENT_TEXT
    return _scrubbed(value)


def _scrubbed(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [_scrubbed(item) for item in value]
    if isinstance(value, dict):
        return {key: _scrubbed(item) for key, item in value.items()}
    return value


def diff(table: str, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """column -> {"before": masked, "after": masked} for the columns that differ (all of them on a
    create or delete; bookkeeping columns left out). Empty when an update changed nothing of note."""
    old, new = before or {}, after or {}
    changes: dict[str, dict[str, Any]] = {}
    for column in sorted(set(old) | set(new)):
        if column in _NOISE:
            continue
        if before is not None and after is not None and old.get(column) == new.get(column):
            continue
        entry: dict[str, Any] = {}
        if before is not None:
            entry["before"] = _mask(table, column, old.get(column))
        if after is not None:
            entry["after"] = _mask(table, column, new.get(column))
        changes[column] = entry
    return changes
