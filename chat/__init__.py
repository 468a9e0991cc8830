"""The chat pipeline: nine small stages over one context, streamed answers with checked citations.

It reaches the retriever and the model service through the transport-free Protocols of ``chat.clients``
(``jisik.clients`` implements them over gRPC); a model's ``no_answer`` finish reason becomes the
session's fallback response.
"""

from __future__ import annotations

from .clients import KnowledgeCatalog, KnowledgeInfo, ModelClient, RetrieverClient
from .context import ChatContext, HistoryTurn, Passage, RetrievalSettings, StageTiming
from .pipeline import ChatPipeline, PipelineEvent
from .streams import StreamEvent, StreamRegistry, StreamState

__all__ = [
    "ChatContext",
    "ChatPipeline",
    "HistoryTurn",
    "KnowledgeCatalog",
    "KnowledgeInfo",
    "ModelClient",
    "Passage",
    "PipelineEvent",
    "RetrievalSettings",
    "RetrieverClient",
    "StageTiming",
    "StreamEvent",
    "StreamRegistry",
    "StreamState",
]
