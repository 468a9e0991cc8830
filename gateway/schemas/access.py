"""Access lists of knowledge bases and documents (the rule: jisik.access)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from jisik.access import MAX_ACCESS_LIST

from .common import Strict


class AccessListUpdate(Strict):
    """``user:<id>`` and ``group:<name>`` entries; an empty list means "no restriction of its own"."""

    principals: list[str] = Field(default_factory=list, max_length=MAX_ACCESS_LIST)


class KnowledgeBaseAccess(BaseModel):
    knowledge_base_id: str
    principals: list[str]
    owner: str
    may_manage: bool


class DocumentAccess(BaseModel):
    knowledge_id: str
    # The document's own list; when empty, ``inherited`` (its knowledge base's) applies.
    principals: list[str]
    inherited: list[str]
    # The list that decides (empty: everyone in the tenant).
    effective: list[str]
    may_manage: bool
