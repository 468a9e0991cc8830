"""The gateway serves tuned models without the trainer's libraries: torch and scikit-learn are the
`train` extra, imported only when a model is fitted."""

from __future__ import annotations

import subprocess
import sys
import textwrap

_SCENARIO = textwrap.dedent(
    """
    import sys
    sys.modules["torch"] = None  # an import of either now raises ImportError
    sys.modules["sklearn"] = None
    import numpy as np
    import gateway.app  # noqa: F401
    from ml.training.adapter import CorpusMemory, QueryAdapter
    from ml.training.reranker import FeatureReranker
    from ml.training.serving import TunedModels  # noqa: F401

    scores = FeatureReranker(np.zeros(2, np.float32), np.ones(2, np.float32), np.ones(2, np.float32), 0.0)
    memory = CorpusMemory(np.eye(2, dtype=np.float32), np.eye(2, dtype=np.float32), np.array([1, 0]), 0.01, 1.0)
    assert np.allclose(QueryAdapter(np.eye(2, dtype=np.float32))(np.array([3.0, 4.0])), [0.6, 0.8])
    assert np.allclose(QueryAdapter(np.eye(2, dtype=np.float32), memory)(np.array([1.0, 0.0])), [0.5**0.5] * 2)
    assert np.allclose(scores.score(np.ones((1, 2))), [2.0])
    assert "torch" not in {name.split(".")[0] for name, module in sys.modules.items() if module is not None}
    print("served")
    """
)


def test_serving_imports_neither_torch_nor_scikit_learn() -> None:
    result = subprocess.run([sys.executable, "-c", _SCENARIO], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "served"
