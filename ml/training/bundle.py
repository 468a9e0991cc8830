"""The registered artifact of a tuned model: the query adapter (map and corpus memory) and the feature
reranker in one ``.npz``, with its sha256. Loading checks the checksum, so a damaged artifact never serves.
The memory is kept in float16 (half the bytes; the adapter's choices are unchanged at that precision)."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import numpy as np

from jisik.errors import InvalidInput

from .adapter import CorpusMemory, QueryAdapter
from .features import FEATURES
from .key_index import KeyIndex
from .reranker import FeatureReranker

__all__ = ["TunedBundle", "checksum"]


def checksum(artifact: bytes) -> str:
    return hashlib.sha256(artifact).hexdigest()


@dataclass(frozen=True, slots=True)
class TunedBundle:
    adapter: QueryAdapter
    reranker: FeatureReranker
    adapter_strength: float = 1.0  # how far the map moved from the identity (chosen on held-back folds)

    def adapt(self, vector: np.ndarray) -> np.ndarray:
        return self.adapter(vector)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        arrays = dict(
            adapter=self.adapter.weights,
            **self._memory_arrays(),
            mean=self.reranker.mean,
            scale=self.reranker.scale,
            coef=self.reranker.coef,
            intercept=np.asarray([self.reranker.intercept], dtype=np.float32),
            strength=np.asarray([self.adapter_strength], dtype=np.float32),
            features=np.asarray(FEATURES),
        )
        np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]  # the stub types one keyword as bool
        return buffer.getvalue()

    def _memory_arrays(self) -> dict[str, np.ndarray]:
        memory = self.adapter.memory
        if memory is None:
            return {}
        arrays: dict[str, np.ndarray] = {
            "memory_keys": memory.keys.astype(np.float16), "memory_values": memory.values.astype(np.float16),
            "memory_targets": memory.targets.astype(np.int32),
            "memory_shape": np.asarray([memory.temperature, memory.weight], dtype=np.float32)}
        if memory.index is not None:
            arrays |= {"index_centroids": memory.index.centroids, "index_offsets": memory.index.offsets,
                       "index_probes": np.asarray([memory.index.probes], dtype=np.int64)}
        return arrays

    @classmethod
    def from_bytes(cls, artifact: bytes, expected_sha256: str) -> TunedBundle:
        """:raises InvalidInput: the checksum or the feature list does not match."""
        if checksum(artifact) != expected_sha256:
            raise InvalidInput("the model artifact does not match its checksum", field="artifact")
        with np.load(io.BytesIO(artifact), allow_pickle=False) as data:
            if tuple(str(name) for name in data["features"]) != FEATURES:
                raise InvalidInput("the model artifact was trained on other features", field="artifact")
            reranker = FeatureReranker(data["mean"], data["scale"], data["coef"], float(data["intercept"][0]))
            memory = None
            if "memory_keys" in data:
                temperature, weight = (float(x) for x in data["memory_shape"])
                index = None
                if "index_centroids" in data:
                    index = KeyIndex(data["index_centroids"], data["index_offsets"], int(data["index_probes"][0]))
                memory = CorpusMemory(data["memory_keys"].astype(np.float32), data["memory_values"].astype(np.float32),
                                      data["memory_targets"], temperature, weight, index)
            return cls(QueryAdapter(data["adapter"], memory), reranker, float(data["strength"][0]))
