from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SearchMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SEARCH_MODE_HYBRID: _ClassVar[SearchMode]
    SEARCH_MODE_VECTOR: _ClassVar[SearchMode]
    SEARCH_MODE_KEYWORD: _ClassVar[SearchMode]

class Fusion(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FUSION_RRF: _ClassVar[Fusion]
    FUSION_WEIGHTED: _ClassVar[Fusion]

class MatchType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MATCH_TYPE_EMBEDDING: _ClassVar[MatchType]
    MATCH_TYPE_KEYWORDS: _ClassVar[MatchType]
    MATCH_TYPE_HYBRID: _ClassVar[MatchType]
SEARCH_MODE_HYBRID: SearchMode
SEARCH_MODE_VECTOR: SearchMode
SEARCH_MODE_KEYWORD: SearchMode
FUSION_RRF: Fusion
FUSION_WEIGHTED: Fusion
MATCH_TYPE_EMBEDDING: MatchType
MATCH_TYPE_KEYWORDS: MatchType
MATCH_TYPE_HYBRID: MatchType

class IndexedChunk(_message.Message):
    __slots__ = ("chunk_id", "tenant_id", "knowledge_base_id", "knowledge_id", "content", "embedding", "acl_principals", "seq", "start", "end", "title", "metadata")
    CHUNK_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    KNOWLEDGE_BASE_ID_FIELD_NUMBER: _ClassVar[int]
    KNOWLEDGE_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    EMBEDDING_FIELD_NUMBER: _ClassVar[int]
    ACL_PRINCIPALS_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    chunk_id: str
    tenant_id: str
    knowledge_base_id: str
    knowledge_id: str
    content: str
    embedding: _containers.RepeatedScalarFieldContainer[float]
    acl_principals: _containers.RepeatedScalarFieldContainer[str]
    seq: int
    start: int
    end: int
    title: str
    metadata: ChunkMetadata
    def __init__(self, chunk_id: _Optional[str] = ..., tenant_id: _Optional[str] = ..., knowledge_base_id: _Optional[str] = ..., knowledge_id: _Optional[str] = ..., content: _Optional[str] = ..., embedding: _Optional[_Iterable[float]] = ..., acl_principals: _Optional[_Iterable[str]] = ..., seq: _Optional[int] = ..., start: _Optional[int] = ..., end: _Optional[int] = ..., title: _Optional[str] = ..., metadata: _Optional[_Union[ChunkMetadata, _Mapping]] = ...) -> None: ...

class ChunkMetadata(_message.Message):
    __slots__ = ("file_name", "pages", "chunk_type", "version")
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    PAGES_FIELD_NUMBER: _ClassVar[int]
    CHUNK_TYPE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    file_name: str
    pages: _containers.RepeatedScalarFieldContainer[int]
    chunk_type: str
    version: int
    def __init__(self, file_name: _Optional[str] = ..., pages: _Optional[_Iterable[int]] = ..., chunk_type: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class IndexChunksRequest(_message.Message):
    __slots__ = ("chunks",)
    CHUNKS_FIELD_NUMBER: _ClassVar[int]
    chunks: _containers.RepeatedCompositeFieldContainer[IndexedChunk]
    def __init__(self, chunks: _Optional[_Iterable[_Union[IndexedChunk, _Mapping]]] = ...) -> None: ...

class IndexChunksResponse(_message.Message):
    __slots__ = ("indexed",)
    INDEXED_FIELD_NUMBER: _ClassVar[int]
    indexed: int
    def __init__(self, indexed: _Optional[int] = ...) -> None: ...

class ReplaceKnowledgeRequest(_message.Message):
    __slots__ = ("tenant_id", "knowledge_id", "chunks")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    KNOWLEDGE_ID_FIELD_NUMBER: _ClassVar[int]
    CHUNKS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    knowledge_id: str
    chunks: _containers.RepeatedCompositeFieldContainer[IndexedChunk]
    def __init__(self, tenant_id: _Optional[str] = ..., knowledge_id: _Optional[str] = ..., chunks: _Optional[_Iterable[_Union[IndexedChunk, _Mapping]]] = ...) -> None: ...

class DeleteRequest(_message.Message):
    __slots__ = ("tenant_id", "chunk_ids", "knowledge_ids", "knowledge_base_ids")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    CHUNK_IDS_FIELD_NUMBER: _ClassVar[int]
    KNOWLEDGE_IDS_FIELD_NUMBER: _ClassVar[int]
    KNOWLEDGE_BASE_IDS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    chunk_ids: _containers.RepeatedScalarFieldContainer[str]
    knowledge_ids: _containers.RepeatedScalarFieldContainer[str]
    knowledge_base_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, tenant_id: _Optional[str] = ..., chunk_ids: _Optional[_Iterable[str]] = ..., knowledge_ids: _Optional[_Iterable[str]] = ..., knowledge_base_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class DeleteResponse(_message.Message):
    __slots__ = ("deleted",)
    DELETED_FIELD_NUMBER: _ClassVar[int]
    deleted: int
    def __init__(self, deleted: _Optional[int] = ...) -> None: ...

class SearchRequest(_message.Message):
    __slots__ = ("tenant_id", "query_text", "query_vector", "top_k", "vector_threshold", "keyword_threshold", "mode", "fusion", "rrf_k", "vector_weight", "keyword_weight", "knowledge_base_ids", "knowledge_ids", "acl_principals", "sentence_weight", "all_documents", "vector_space")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    QUERY_TEXT_FIELD_NUMBER: _ClassVar[int]
    QUERY_VECTOR_FIELD_NUMBER: _ClassVar[int]
    TOP_K_FIELD_NUMBER: _ClassVar[int]
    VECTOR_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    KEYWORD_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    FUSION_FIELD_NUMBER: _ClassVar[int]
    RRF_K_FIELD_NUMBER: _ClassVar[int]
    VECTOR_WEIGHT_FIELD_NUMBER: _ClassVar[int]
    KEYWORD_WEIGHT_FIELD_NUMBER: _ClassVar[int]
    KNOWLEDGE_BASE_IDS_FIELD_NUMBER: _ClassVar[int]
    KNOWLEDGE_IDS_FIELD_NUMBER: _ClassVar[int]
    ACL_PRINCIPALS_FIELD_NUMBER: _ClassVar[int]
    SENTENCE_WEIGHT_FIELD_NUMBER: _ClassVar[int]
    ALL_DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    VECTOR_SPACE_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    query_text: str
    query_vector: _containers.RepeatedScalarFieldContainer[float]
    top_k: int
    vector_threshold: float
    keyword_threshold: float
    mode: SearchMode
    fusion: Fusion
    rrf_k: int
    vector_weight: float
    keyword_weight: float
    knowledge_base_ids: _containers.RepeatedScalarFieldContainer[str]
    knowledge_ids: _containers.RepeatedScalarFieldContainer[str]
    acl_principals: _containers.RepeatedScalarFieldContainer[str]
    sentence_weight: float
    all_documents: bool
    vector_space: str
    def __init__(self, tenant_id: _Optional[str] = ..., query_text: _Optional[str] = ..., query_vector: _Optional[_Iterable[float]] = ..., top_k: _Optional[int] = ..., vector_threshold: _Optional[float] = ..., keyword_threshold: _Optional[float] = ..., mode: _Optional[_Union[SearchMode, str]] = ..., fusion: _Optional[_Union[Fusion, str]] = ..., rrf_k: _Optional[int] = ..., vector_weight: _Optional[float] = ..., keyword_weight: _Optional[float] = ..., knowledge_base_ids: _Optional[_Iterable[str]] = ..., knowledge_ids: _Optional[_Iterable[str]] = ..., acl_principals: _Optional[_Iterable[str]] = ..., sentence_weight: _Optional[float] = ..., all_documents: _Optional[bool] = ..., vector_space: _Optional[str] = ...) -> None: ...

class SearchHit(_message.Message):
    __slots__ = ("chunk_id", "knowledge_base_id", "knowledge_id", "content", "score", "vector_score", "vector_rank", "keyword_score", "keyword_rank", "match_type", "seq", "start", "end", "bm25_score", "sentence_score", "metadata")
    CHUNK_ID_FIELD_NUMBER: _ClassVar[int]
    KNOWLEDGE_BASE_ID_FIELD_NUMBER: _ClassVar[int]
    KNOWLEDGE_ID_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    VECTOR_SCORE_FIELD_NUMBER: _ClassVar[int]
    VECTOR_RANK_FIELD_NUMBER: _ClassVar[int]
    KEYWORD_SCORE_FIELD_NUMBER: _ClassVar[int]
    KEYWORD_RANK_FIELD_NUMBER: _ClassVar[int]
    MATCH_TYPE_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    BM25_SCORE_FIELD_NUMBER: _ClassVar[int]
    SENTENCE_SCORE_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    chunk_id: str
    knowledge_base_id: str
    knowledge_id: str
    content: str
    score: float
    vector_score: float
    vector_rank: int
    keyword_score: float
    keyword_rank: int
    match_type: MatchType
    seq: int
    start: int
    end: int
    bm25_score: float
    sentence_score: float
    metadata: ChunkMetadata
    def __init__(self, chunk_id: _Optional[str] = ..., knowledge_base_id: _Optional[str] = ..., knowledge_id: _Optional[str] = ..., content: _Optional[str] = ..., score: _Optional[float] = ..., vector_score: _Optional[float] = ..., vector_rank: _Optional[int] = ..., keyword_score: _Optional[float] = ..., keyword_rank: _Optional[int] = ..., match_type: _Optional[_Union[MatchType, str]] = ..., seq: _Optional[int] = ..., start: _Optional[int] = ..., end: _Optional[int] = ..., bm25_score: _Optional[float] = ..., sentence_score: _Optional[float] = ..., metadata: _Optional[_Union[ChunkMetadata, _Mapping]] = ...) -> None: ...

class SearchResponse(_message.Message):
    __slots__ = ("hits",)
    HITS_FIELD_NUMBER: _ClassVar[int]
    hits: _containers.RepeatedCompositeFieldContainer[SearchHit]
    def __init__(self, hits: _Optional[_Iterable[_Union[SearchHit, _Mapping]]] = ...) -> None: ...

class AnalyzeRequest(_message.Message):
    __slots__ = ("text",)
    TEXT_FIELD_NUMBER: _ClassVar[int]
    text: str
    def __init__(self, text: _Optional[str] = ...) -> None: ...

class AnalyzeResponse(_message.Message):
    __slots__ = ("tokens",)
    TOKENS_FIELD_NUMBER: _ClassVar[int]
    tokens: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, tokens: _Optional[_Iterable[str]] = ...) -> None: ...

class SetKnowledgeAccessRequest(_message.Message):
    __slots__ = ("tenant_id", "knowledge_id", "acl_principals", "enabled", "knowledge_ids")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    KNOWLEDGE_ID_FIELD_NUMBER: _ClassVar[int]
    ACL_PRINCIPALS_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    KNOWLEDGE_IDS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    knowledge_id: str
    acl_principals: _containers.RepeatedScalarFieldContainer[str]
    enabled: bool
    knowledge_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, tenant_id: _Optional[str] = ..., knowledge_id: _Optional[str] = ..., acl_principals: _Optional[_Iterable[str]] = ..., enabled: _Optional[bool] = ..., knowledge_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class SetKnowledgeAccessResponse(_message.Message):
    __slots__ = ("updated",)
    UPDATED_FIELD_NUMBER: _ClassVar[int]
    updated: int
    def __init__(self, updated: _Optional[int] = ...) -> None: ...
