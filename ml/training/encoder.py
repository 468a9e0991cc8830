"""A registered fine-tuned bi-encoder, loaded from its artifact (the zipped sentence-transformers
directory, checksum verified) to embed passages and questions."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from jisik.errors import InvalidInput

from .transformer import unpacked

__all__ = ["TRANSFORMER", "VersionEncoder", "is_bi_encoder"]

TRANSFORMER = "transformer"


def is_bi_encoder(metrics: dict[str, Any]) -> bool:
    """A version whose artifact is a fine-tuned bi-encoder (it needs its own vectors of the chunks)."""
    return metrics.get("kind") == TRANSFORMER


class VersionEncoder:
    """Loading reads the whole model into memory; the unpacked files are gone once it is loaded."""

    def __init__(self, artifact: bytes, artifact_sha256: str, *, device: str = "cpu") -> None:
        """:raises InvalidInput: the artifact does not match its checksum or is not a model archive."""
        from sentence_transformers import SentenceTransformer

        with unpacked(artifact, artifact_sha256, "sentence-transformers") as folder:
            if not (folder / "modules.json").is_file():
                raise InvalidInput("the model artifact holds no sentence-transformers model", field="artifact")
            self._model = SentenceTransformer(str(folder), device=device, local_files_only=True)
        self._lock = threading.Lock()  # one encode at a time: torch already uses every core

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised vectors, one row per text."""
        with self._lock:
            vectors = self._model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True,
                                         batch_size=32)
        return np.asarray(vectors, dtype=np.float32)
