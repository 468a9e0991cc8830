"""The registered artifact of a tuned model: the query adapter and the feature reranker in one ``.npz``,
with its sha256. Loading checks the checksum, so a damaged artifact never serves."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import numpy as np

from jisik.errors import InvalidInput

from .adapter import adapt
from .features import FEATURES
from .reranker import FeatureReranker

__all__ = ["TunedBundle", "checksum"]


def checksum(artifact: bytes) -> str:
    return hashlib.sha256(artifact).hexdigest()


@dataclass(frozen=True, slots=True)
class TunedBundle:
    adapter: np.ndarray
    reranker: FeatureReranker
    adapter_strength: float = 1.0  # how far the adapter moved from the identity (chosen on held-back folds)

    def adapt(self, vector: np.ndarray) -> np.ndarray:
        return adapt(self.adapter, vector)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            adapter=self.adapter,
            mean=self.reranker.mean,
            scale=self.reranker.scale,
            coef=self.reranker.coef,
            intercept=np.asarray([self.reranker.intercept], dtype=np.float32),
            strength=np.asarray([self.adapter_strength], dtype=np.float32),
            features=np.asarray(FEATURES),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, artifact: bytes, expected_sha256: str) -> TunedBundle:
        """:raises InvalidInput: the checksum or the feature list does not match."""
        if checksum(artifact) != expected_sha256:
            raise InvalidInput("the model artifact does not match its checksum", field="artifact")
        with np.load(io.BytesIO(artifact), allow_pickle=False) as data:
            if tuple(str(name) for name in data["features"]) != FEATURES:
                raise InvalidInput("the model artifact was trained on other features", field="artifact")
            reranker = FeatureReranker(data["mean"], data["scale"], data["coef"], float(data["intercept"][0]))
            return cls(data["adapter"], reranker, float(data["strength"][0]))
