"""Deterministic names: object-storage keys and chunk ids."""

from __future__ import annotations

import hashlib
import re

__all__ = ["MANUAL_CONTENT", "PUBLISHED_CONTENT", "chunk_id", "knowledge_prefix", "original_key", "safe_file_name"]

# Knowledge metadata keys of editor documents: the latest edit, and the text the pipeline indexes.
MANUAL_CONTENT = "content"
PUBLISHED_CONTENT = "published_content"

_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)


def knowledge_prefix(tenant_id: str, knowledge_base_id: str, knowledge_id: str) -> str:
    """Folder of every object that belongs to one document (deleted with it)."""
    return f"{tenant_id}/{knowledge_base_id}/{knowledge_id}/"


def safe_file_name(file_name: str) -> str:
    """The base name of an upload with path parts and odd characters removed."""
    base = file_name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return _UNSAFE.sub("_", base)[-200:].lstrip(".") or "file"


def original_key(tenant_id: str, knowledge_base_id: str, knowledge_id: str, file_name: str) -> str:
    return knowledge_prefix(tenant_id, knowledge_base_id, knowledge_id) + "original/" + safe_file_name(file_name)


def chunk_id(knowledge_id: str, version: int, seq: int) -> str:
    """The same document version and position always give the same id, so re-runs upsert."""
    return hashlib.sha256(f"{knowledge_id}:{version}:{seq}".encode()).hexdigest()
