"""The nine stages of the answer pipeline, in order. Each is a small unit with ``name`` and ``run``."""

from __future__ import annotations

from ._base import Stage
from .filter_top_k import FilterTopK
from .into_chat_message import IntoChatMessage
from .merge import ChunkMerge, merge_passages
from .preprocess import PreprocessQuery, clean_query
from .rerank import ChunkRerank
from .rewrite import RewriteQuery
from .search import ChunkSearch, dedupe
from .stream_filter import StreamFilter

__all__ = [
    "ChunkMerge",
    "ChunkRerank",
    "ChunkSearch",
    "FilterTopK",
    "IntoChatMessage",
    "PreprocessQuery",
    "RewriteQuery",
    "Stage",
    "StreamFilter",
    "clean_query",
    "dedupe",
    "merge_passages",
]
