"""Helpers for the retriever tests: deterministic unit vectors, chunk builders, fresh tenant ids."""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Sequence

import numpy as np
from retriever.types import ChunkInput

DIM = 384


def unit_vector(seed: int | str) -> np.ndarray:
    """A deterministic random unit vector."""
    rng = np.random.default_rng(zlib.crc32(seed.encode()) if isinstance(seed, str) else seed)
    vector = rng.standard_normal(DIM).astype(np.float32)
    return vector / np.linalg.norm(vector)


def chunk(
    chunk_id: str,
    content: str,
    *,
    kb: str = "kb-1",
    knowledge: str = "k-1",
    vector: np.ndarray | None = None,
    acl: Sequence[str] = (),
    seq: int = 0,
) -> ChunkInput:
    return ChunkInput(
        chunk_id=chunk_id,
        knowledge_base_id=kb,
        knowledge_id=knowledge,
        content=content,
        embedding=unit_vector(chunk_id) if vector is None else vector,
        acl_principals=tuple(acl),
        seq=seq,
        metadata={"title": chunk_id},
    )


def new_tenant() -> str:
    return f"tenant-{uuid.uuid4().hex[:12]}"


