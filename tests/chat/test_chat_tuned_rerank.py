"""chunk_rerank with a tenant's tuned feature reranker (no rerank model named by the session)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import numpy as np

from chat.clients import ModelClient
from chat.context import ChatContext, Passage
from chat.stages.rerank import ChunkRerank
from ml.training.adapter import QueryAdapter
from ml.training.bundle import TunedBundle
from ml.training.features import FEATURES
from ml.training.reranker import FeatureReranker
from ml.training.serving import TunedModel

_DIMENSION = 4


class _StoredVectors:
    """The tuned-model source at its database boundary: every chunk's stored vector is the same."""

    async def for_session(self, tenant_id: str, session_id: str) -> TunedModel | None:
        raise AssertionError("the pipeline resolves the session's model before chunk_rerank")

    async def vectors(self, tenant_id: str, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        return {chunk_id: np.full(_DIMENSION, 0.5, np.float32) for chunk_id in chunk_ids}


def _passage(chunk_id: str, content: str) -> Passage:
    return Passage(chunk_id=chunk_id, knowledge_id="k", knowledge_base_id="kb", content=content, score=0.9,
                   start_at=0, end_at=len(content), seq=0, knowledge_title="강정호")


async def test_the_tuned_reranker_puts_the_paragraph_with_the_topic_evidence_first() -> None:
    weights = np.zeros(len(FEATURES), np.float32)
    weights[FEATURES.index("topic_evidence")] = 1.0
    reranker = FeatureReranker(np.zeros(len(FEATURES), np.float32), np.ones(len(FEATURES), np.float32), weights, 0.0)
    bundle = TunedBundle(QueryAdapter(np.eye(_DIMENSION, dtype=np.float32)), reranker)
    ctx = ChatContext(tenant_id="t", query="강정호가 2년 연속 전 경기 출장의 대기록을 세운 포지션은?",
                      knowledge_base_ids=["kb"], tuned=TunedModel("v1", 1, bundle))
    ctx.base_query_vector = [0.5] * _DIMENSION
    ctx.search_results = [
        _passage("intro", "강정호는 대한민국의 야구 선수이다. 강정호는 2006년 현대 유니콘스에 입단하였다."),
        _passage("record", "생애 처음으로 골든 글러브를 받았고, 2년 연속 유격수 전 경기 출장이라는 대기록도 세웠다."),
    ]
    outcome = await ChunkRerank(cast(ModelClient, None), _StoredVectors()).run(ctx)
    assert outcome is None
    assert ctx.rerank_results is not None
    assert [passage.chunk_id for passage in ctx.rerank_results] == ["record", "intro"]
    assert ctx.rerank_results[0].score > ctx.rerank_results[1].score
