"""The ONNX linear layers built from Q4_0 blocks compute x @ W.T + b."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper

from ml.serving.local.e5file import _Q4_BLOCK, Q4Tensor
from ml.serving.local.e5graph import _GraphBuilder


def random_q4(rows: int, cols: int, rng: np.random.Generator) -> Q4Tensor:
    blocks = np.zeros((rows, cols // 32), dtype=_Q4_BLOCK)
    blocks["d"] = (rng.random((rows, cols // 32)) * 0.1 + 0.01).astype(np.float16)
    blocks["qs"] = rng.integers(0, 256, (rows, cols // 32, 16)).astype(np.uint8)
    return Q4Tensor(blocks["d"], blocks["qs"])


def run_linear(
    int8: bool, weights: list[Q4Tensor], biases: list[np.ndarray], x: np.ndarray
) -> list[np.ndarray]:
    g = _GraphBuilder(int8=int8)
    outs = g.linear("x", weights, biases, "t")
    names = [f"y{i}" for i in range(len(outs))]
    g.nodes.extend(helper.make_node("Identity", [o], [n]) for o, n in zip(outs, names, strict=True))
    graph = helper.make_graph(
        g.nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["b", "s", x.shape[-1]])],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in names],
        initializer=g.inits,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)],
        ir_version=10,
    )
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(names, {"x": x})


class TestLinear:
    @pytest.mark.parametrize("int8", [True, False])
    def test_matches_dequantised_weights_and_adds_bias(self, int8: bool) -> None:
        rng = np.random.default_rng(7)
        weights = [random_q4(48, 64, rng), random_q4(32, 64, rng)]
        biases = [rng.random(48).astype(np.float32) * 5, rng.random(32).astype(np.float32) * 5]
        x = rng.standard_normal((2, 3, 64)).astype(np.float32) * np.linspace(0.01, 10, 6).reshape(2, 3, 1)
        outputs = run_linear(int8, weights, biases, x.astype(np.float32))
        for out, w, b in zip(outputs, weights, biases, strict=True):
            expected = x @ w.dequantize_rows().T + b
            assert out.shape == expected.shape
            # int8 activations per token: error scales with each token's magnitude, never with the bias
            error = np.abs(out - expected).max(axis=-1) / np.abs(x).max(axis=-1)
            assert error.max() < 0.1

    def test_q4_codes_round_trip(self) -> None:
        rng = np.random.default_rng(1)
        w = random_q4(4, 64, rng)
        dense = w.dequantize_rows()
        rebuilt = (w.codes().astype(np.float32) - 8).reshape(4, 2, 32) * w.scales.astype(np.float32)[
            ..., None
        ]
        assert np.array_equal(dense, rebuilt.reshape(4, 64))
