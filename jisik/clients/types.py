"""The values the service clients take and return. No transport here: ``chat/`` and the ingest
stages depend on these, never on protobuf."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "NO_ANSWER",
    "ChatDelta",
    "ChunkMetadata",
    "DocumentSource",
    "IndexChunk",
    "MatchType",
    "ReadChunk",
    "ReadImage",
    "ReadSummary",
    "SearchHit",
    "SearchMode",
]

#: ``finish_reason`` of a model answer that says the passages do not contain the answer.
NO_ANSWER = "no_answer"


class SearchMode(StrEnum):
    HYBRID = "hybrid"
    VECTOR = "vector"
    KEYWORD = "keyword"


class MatchType(StrEnum):
    """Which search channel found a hit (WeKnora's match_type numbers via ``number``)."""

    EMBEDDING = "embedding"
    KEYWORDS = "keywords"
    HYBRID = "hybrid"

    @property
    def number(self) -> int:
        return {"embedding": 0, "keywords": 1, "hybrid": 2}[self.value]


@dataclass(frozen=True, slots=True)
class ChunkMetadata:
    """What the index keeps about a chunk besides its text and its document's title."""

    file_name: str = ""
    pages: tuple[int, ...] = ()
    chunk_type: str = "text"
    version: int = 0

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of a reference's ``metadata`` (WeKnora's SearchResult)."""
        return {"file_name": self.file_name, "pages": list(self.pages), "chunk_type": self.chunk_type,
                "version": self.version}


@dataclass(frozen=True, slots=True)
class IndexChunk:
    """One chunk to put in the search index, with its embedding."""

    chunk_id: str
    tenant_id: str
    knowledge_base_id: str
    knowledge_id: str
    content: str
    title: str
    embedding: Sequence[float]
    seq: int
    start: int
    end: int
    acl_principals: Sequence[str] = ()
    metadata: ChunkMetadata = field(default_factory=ChunkMetadata)


@dataclass(frozen=True, slots=True)
class SearchHit:
    chunk_id: str
    knowledge_id: str
    knowledge_base_id: str
    content: str
    score: float
    seq: int
    start: int
    end: int
    match_type: MatchType
    metadata: ChunkMetadata


@dataclass(frozen=True, slots=True)
class ChatDelta:
    """A piece of a streamed answer; the last one carries the model's ``finish_reason``, the tokens the
    model read and wrote, and the model that answered."""

    text: str
    finish_reason: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    model_id: str = ""
    done: bool = False
    # Set on one delta before the answer: what the model was given (JSON), see proto ChatChunk.
    model_input: str = ""

    @property
    def no_answer(self) -> bool:
        return self.finish_reason == NO_ANSWER


@dataclass(frozen=True, slots=True)
class DocumentSource:
    """What to read: exactly one of ``content``, ``storage_key`` or ``url``, plus how to chunk it."""

    request_id: str
    file_name: str = ""
    file_type: str = ""
    title: str = ""
    content: bytes | None = None
    storage_key: str = ""
    url: str = ""
    chunk_size: int = 0
    chunk_overlap: int = 0
    separators: Sequence[str] = ()
    enable_multimodal: bool = False
    # The tenant's PII mask for the vision model ("" = the docreader's default, remote) and its types.
    pii_policy: str = ""
    pii_types: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class ReadImage:
    url: str
    caption: str
    ocr_text: str
    storage_key: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class ReadChunk:
    content: str
    seq: int
    start: int
    end: int
    pages: tuple[int, ...]
    images: tuple[ReadImage, ...]


@dataclass(frozen=True, slots=True)
class ReadSummary:
    page_count: int
    warnings: tuple[str, ...]
