"""Who may read which documents: access lists, principals and the one visibility rule.

An access list names principals: ``user:<user id>`` and ``group:<group name>``. A knowledge base and
each of its documents have one. The rule:

- a document's own list, when not empty, decides who may read it;
- otherwise its knowledge base's list decides;
- when both are empty, everyone in the tenant may read it;
- callers who may read everything (tenant owners and admins, the tenant's own API key, services) see
  every document of their tenant whatever the lists say.

The list that decides is stored on the document as ``knowledges.acl_principals`` (the *effective*
list); the CDC ``index.meta`` job carries it to the retriever, which filters every search with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .errors import InvalidInput

__all__ = [
    "MAX_ACCESS_LIST",
    "Access",
    "effective_list",
    "group_principal",
    "normalize_access_list",
    "user_principal",
]

MAX_ACCESS_LIST = 200
_MAX_PRINCIPAL_CHARS = 255
_KINDS = ("user", "group")


def user_principal(user_id: str) -> str:
    return f"user:{user_id}"


def group_principal(name: str) -> str:
    return f"group:{name}"


def normalize_access_list(items: Iterable[str]) -> list[str]:
    """``items`` checked (``user:<id>`` or ``group:<name>``), trimmed, de-duplicated, in their order.

    :raises InvalidInput: an item of another form, or too many items.
    """
    seen: dict[str, None] = {}
    for raw in items:
        item = raw.strip()
        kind, _, name = item.partition(":")
        if kind not in _KINDS or not name or name != name.strip() or len(item) > _MAX_PRINCIPAL_CHARS:
            raise InvalidInput(
                f"access list entries are user:<id> or group:<name> (at most {_MAX_PRINCIPAL_CHARS} characters)",
                field="principals",
            )
        seen[item] = None
    if len(seen) > MAX_ACCESS_LIST:
        raise InvalidInput(f"an access list has at most {MAX_ACCESS_LIST} entries", field="principals")
    return list(seen)


def effective_list(document_list: Sequence[str], knowledge_base_list: Sequence[str]) -> list[str]:
    """The list that decides who may read a document (empty: everyone in the tenant)."""
    return list(document_list) if document_list else list(knowledge_base_list)


@dataclass(frozen=True, slots=True)
class Access:
    """What one caller may read within its tenant."""

    principals: frozenset[str] = frozenset()
    everything: bool = False

    @classmethod
    def all_documents(cls) -> Access:
        return cls(everything=True)

    def allows(self, acl: Sequence[str]) -> bool:
        """May the caller read a document whose effective list is ``acl``?"""
        return self.everything or not acl or not self.principals.isdisjoint(acl)
