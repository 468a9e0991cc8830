"""Models of the jisik gateway's JSON, generated from its OpenAPI document by scripts/openapi_clients.py.

Do not edit: run ``.venv/bin/python scripts/openapi_clients.py`` after changing a route or a schema.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ApiModel(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

MaskPolicy = Literal['off', 'remote', 'always']

ModelSource = Literal['local', 'remote']

ModelType = Literal['Embedding', 'Rerank', 'KnowledgeQA', 'VLLM']

PiiType = Literal['RRN', 'FRN', 'BRN', 'CORP', 'PHONE', 'EMAIL', 'CARD', 'ACCOUNT', 'PASSPORT', 'DRIVER', 'ADDRESS', 'NAME', 'IBAN']


class AccessListUpdate(ApiModel):
    """``user:<id>`` and ``group:<name>`` entries; an empty list means "no restriction of its own"."""

    principals: list[str] | None = None


class AnswerToKnowledge(ApiModel):
    """"Add to knowledge base": a Markdown draft from one assistant message (or given text)."""

    knowledge_base_id: str
    message_id: str | None = None
    question: str | None = None
    answer: str | None = None


class ApiKeyCreate(ApiModel):
    name: str
    scopes: list[Literal['read', 'write', 'review', 'admin']]
    expires_in_days: int = 90
    user_id: str | None = None


class ApiKeyCreated(ApiModel):
    id: str
    user_id: str
    name: str
    prefix: str
    scopes: list[Literal['read', 'write', 'review', 'admin']]
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    created_by: str
    created_at: datetime
    key: str


class ApiKeyPublic(ApiModel):
    id: str
    user_id: str
    name: str
    prefix: str
    scopes: list[Literal['read', 'write', 'review', 'admin']]
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    created_by: str
    created_at: datetime


class AttemptPublic(ApiModel):
    attempted_at: datetime
    result: str
    response_code: int | None
    latency_ms: float
    response_body: str
    error: str


class AuditChange(ApiModel):
    """One column's values before and after (absent on a create or a delete), secrets and PII masked."""

    before: Any = None
    after: Any = None


class AuditEventPublic(ApiModel):
    id: str
    entity_type: str
    entity_id: str
    action: Literal['created', 'updated', 'deleted']
    knowledge_base_id: str
    document_id: str
    actor: str
    request_id: str
    occurred_at: datetime
    changes: dict[str, AuditChange]


class Body_upload_api_v1_knowledge_bases__knowledge_base_id__knowledge_file_post(ApiModel):
    file: bytes
    expected_fields: str | None = None


class Body_upload_pairs_api_v1_ml_training_data_post(ApiModel):
    file: bytes


class ChatQuery(ApiModel):
    query: str
    knowledge_base_ids: list[str] | None = None


class Check(ApiModel):
    rule: str
    ok: bool
    message: str = ''


class ChunkPublic(ApiModel):
    id: str
    knowledge_id: str
    knowledge_base_id: str
    content: str
    chunk_index: int
    start_at: int
    end_at: int
    pages: list[int]
    chunk_type: str
    image_info: list[dict[str, Any]]
    is_enabled: bool
    created_at: datetime
    updated_at: datetime


class ChunkUpdate(ApiModel):
    content: str | None = None
    is_enabled: bool | None = None


class ChunkingConfig(ApiModel):
    chunk_size: int = 512
    chunk_overlap: int = 50
    separators: list[str] | None = None
    enable_multimodal: bool = False


class DeliveryPublic(ApiModel):
    id: str
    event_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_attempt_at: datetime | None
    last_response_code: int | None
    created_at: datetime
    payload: dict[str, Any]
    attempt_log: list[AttemptPublic]


class DocumentAccess(ApiModel):
    knowledge_id: str
    principals: list[str]
    inherited: list[str]
    effective: list[str]
    may_manage: bool


class DocumentFieldsPublic(ApiModel):
    knowledge_id: str
    knowledge_base_id: str
    status: str
    fields: list[FieldResult]
    errors: list[dict[str, Any]]
    duplicate_of: str
    schema_version: int
    revision: int
    reviewed_by: str = ''
    reviewed_at: datetime | None = None
    page_count: int = 0


class EndpointCreate(ApiModel):
    url: str
    event_types: list[str]
    description: str = ''
    enabled: bool = True


class EndpointCreated(ApiModel):
    id: str
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str
    failing_since: datetime | None
    secret_prefix: str
    previous_secret_expires_at: datetime | None
    created_at: datetime
    updated_at: datetime
    secret: str


class EndpointPublic(ApiModel):
    id: str
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str
    failing_since: datetime | None
    secret_prefix: str
    previous_secret_expires_at: datetime | None
    created_at: datetime
    updated_at: datetime


class EndpointUpdate(ApiModel):
    url: str | None = None
    event_types: list[str] | None = None
    description: str | None = None
    enabled: bool | None = None


class Envelope_ApiKeyCreated_(ApiModel):
    success: bool = True
    data: ApiKeyCreated


class Envelope_ApiKeyPublic_(ApiModel):
    success: bool = True
    data: ApiKeyPublic


class Envelope_ChunkPublic_(ApiModel):
    success: bool = True
    data: ChunkPublic


class Envelope_DocumentAccess_(ApiModel):
    success: bool = True
    data: DocumentAccess


class Envelope_DocumentFieldsPublic_(ApiModel):
    success: bool = True
    data: DocumentFieldsPublic


class Envelope_EndpointCreated_(ApiModel):
    success: bool = True
    data: EndpointCreated


class Envelope_EndpointPublic_(ApiModel):
    success: bool = True
    data: EndpointPublic


class Envelope_FeedbackPublic_(ApiModel):
    success: bool = True
    data: FeedbackPublic


class Envelope_FieldSchemaPublic_(ApiModel):
    success: bool = True
    data: FieldSchemaPublic


class Envelope_GroupPublic_(ApiModel):
    success: bool = True
    data: GroupPublic


class Envelope_InvitationCreated_(ApiModel):
    success: bool = True
    data: InvitationCreated


class Envelope_JobPublic_(ApiModel):
    success: bool = True
    data: JobPublic


class Envelope_KnowledgeBaseAccess_(ApiModel):
    success: bool = True
    data: KnowledgeBaseAccess


class Envelope_KnowledgeBasePublic_(ApiModel):
    success: bool = True
    data: KnowledgeBasePublic


class Envelope_KnowledgePublic_(ApiModel):
    success: bool = True
    data: KnowledgePublic


class Envelope_Me_(ApiModel):
    success: bool = True
    data: Me


class Envelope_ModelInputPublic_(ApiModel):
    success: bool = True
    data: ModelInputPublic


class Envelope_ModelPublic_(ApiModel):
    success: bool = True
    data: ModelPublic


class Envelope_ModelsPublic_(ApiModel):
    success: bool = True
    data: ModelsPublic


class Envelope_NoneType_(ApiModel):
    success: bool = True
    data: None


class Envelope_ReplayResult_(ApiModel):
    success: bool = True
    data: ReplayResult


class Envelope_SeatsPublic_(ApiModel):
    success: bool = True
    data: SeatsPublic


class Envelope_SessionPublic_(ApiModel):
    success: bool = True
    data: SessionPublic


class Envelope_SsoSettingsPublic_(ApiModel):
    success: bool = True
    data: SsoSettingsPublic


class Envelope_TenantCreated_(ApiModel):
    success: bool = True
    data: TenantCreated


class Envelope_TenantPublic_(ApiModel):
    success: bool = True
    data: TenantPublic


class Envelope_Union_ErasureReceiptPublic__NoneType__(ApiModel):
    success: bool = True
    data: ErasureReceiptPublic | None


class Envelope_Union_Me__NoneType__(ApiModel):
    success: bool = True
    data: Me | None


class Envelope_UsagePublic_(ApiModel):
    success: bool = True
    data: UsagePublic


class Envelope_UserPublic_(ApiModel):
    success: bool = True
    data: UserPublic


class Envelope_dict_str__Any__(ApiModel):
    success: bool = True
    data: dict[str, Any]


class Envelope_dict_str__bool__(ApiModel):
    success: bool = True
    data: dict[str, bool]


class Envelope_dict_str__int__(ApiModel):
    success: bool = True
    data: dict[str, int]


class Envelope_list_ApiKeyPublic__(ApiModel):
    success: bool = True
    data: list[ApiKeyPublic]


class Envelope_list_EndpointPublic__(ApiModel):
    success: bool = True
    data: list[EndpointPublic]


class Envelope_list_EventTypePublic__(ApiModel):
    success: bool = True
    data: list[EventTypePublic]


class Envelope_list_GroupPublic__(ApiModel):
    success: bool = True
    data: list[GroupPublic]


class Envelope_list_InvitationPublic__(ApiModel):
    success: bool = True
    data: list[InvitationPublic]


class Envelope_list_JobPublic__(ApiModel):
    success: bool = True
    data: list[JobPublic]


class Envelope_list_KnowledgeBasePublic__(ApiModel):
    success: bool = True
    data: list[KnowledgeBasePublic]


class Envelope_list_KnowledgePublic__(ApiModel):
    success: bool = True
    data: list[KnowledgePublic]


class Envelope_list_MessagePublic__(ApiModel):
    success: bool = True
    data: list[MessagePublic]


class Envelope_list_ModelPublic__(ApiModel):
    success: bool = True
    data: list[ModelPublic]


class Envelope_list_PlanPublic__(ApiModel):
    success: bool = True
    data: list[PlanPublic]


class Envelope_list_SearchResult__(ApiModel):
    success: bool = True
    data: list[SearchResult]


class Envelope_list_TenantPublic__(ApiModel):
    success: bool = True
    data: list[TenantPublic]


class Envelope_list_TenantUsagePublic__(ApiModel):
    success: bool = True
    data: list[TenantUsagePublic]


class Envelope_list_UserPublic__(ApiModel):
    success: bool = True
    data: list[UserPublic]


class ErasureReceiptPublic(ApiModel):
    """What an erasure removed: counts per kind, sha256 of the deleted object keys, and the tombstones the compacted topics get after the commit. Never any document text."""

    knowledge_id: str
    removed: dict[str, int]
    object_key_sha256: list[str]
    tombstones: dict[str, int]


class EventTypePublic(ApiModel):
    type: str
    version: int
    description: str
    schema_: dict[str, Any] = Field(alias='schema')


class FeedbackCreate(ApiModel):
    message_id: str
    citation: int = 0
    rating: Literal['up', 'down']


class FeedbackPublic(ApiModel):
    message_id: str
    citation: int
    rating: Literal['up', 'down']
    model_version_id: str


class FieldResult(ApiModel):
    name: str
    value: str
    normalized: str
    confidence: float
    page: int | None = None
    bbox: list[float] | None = None
    source_text: str = ''
    note: str = ''
    reviewed: bool = False
    checks: list[Check] | None = None


class FieldSchemaPublic(ApiModel):
    version: int
    fields: list[dict[str, Any]]
    rules: list[dict[str, Any]]
    duplicate_key: list[str]
    review_threshold: float


class GroupCreate(ApiModel):
    name: str
    description: str = ''


class GroupPublic(ApiModel):
    id: str
    name: str
    description: str
    principal: str
    member_ids: list[str]
    created_at: datetime


class GroupUpdate(ApiModel):
    name: str | None = None
    description: str | None = None


class HTTPValidationError(ApiModel):
    detail: list[ValidationError] | None = None


class InvitationAccept(ApiModel):
    token: str
    name: str = ''
    password: str


class InvitationCreate(ApiModel):
    email: str
    role: Literal['owner', 'admin', 'editor', 'reviewer', 'viewer'] = 'viewer'


class InvitationCreated(ApiModel):
    id: str
    email: str
    role: Literal['owner', 'admin', 'editor', 'reviewer', 'viewer']
    invited_by: str
    expires_at: datetime
    created_at: datetime
    token: str


class InvitationPublic(ApiModel):
    id: str
    email: str
    role: Literal['owner', 'admin', 'editor', 'reviewer', 'viewer']
    invited_by: str
    expires_at: datetime
    created_at: datetime


class JobCreate(ApiModel):
    kind: Literal['retrieval', 'cross_encoder', 'field_tagger'] = 'retrieval'
    knowledge_base_id: str | None = None


class JobPublic(ApiModel):
    id: str
    status: str
    parameters: dict[str, Any]
    progress: float
    logs: list[str]
    error: str
    snapshot_id: str
    version_id: str
    attempts: int
    cancel_requested: bool
    created_at: datetime
    updated_at: datetime


class KnowledgeBaseAccess(ApiModel):
    knowledge_base_id: str
    principals: list[str]
    owner: str
    may_manage: bool


class KnowledgeBaseCreate(ApiModel):
    name: str
    description: str = ''
    chunking_config: ChunkingConfig | None = None
    image_processing_config: dict[str, Any] | None = None
    embedding_model_id: str = ''
    summary_model_id: str = ''
    rerank_model_id: str = ''
    vlm_model_id: str = ''
    retention_days: int | None = None


class KnowledgeBasePublic(ApiModel):
    id: str
    tenant_id: str
    name: str
    description: str
    chunking_config: dict[str, Any]
    image_processing_config: dict[str, Any]
    embedding_model_id: str
    summary_model_id: str
    rerank_model_id: str
    vlm_model_id: str
    retention_days: int | None = None
    created_at: datetime
    updated_at: datetime


class KnowledgeBaseUpdate(ApiModel):
    name: str | None = None
    description: str | None = None
    chunking_config: ChunkingConfig | None = None
    image_processing_config: dict[str, Any] | None = None
    summary_model_id: str | None = None
    rerank_model_id: str | None = None
    vlm_model_id: str | None = None
    retention_days: int | None = None


class KnowledgeFromUrl(ApiModel):
    url: str
    title: str = ''
    expected_fields: dict[str, str | int | float] | None = None


class KnowledgePublic(ApiModel):
    id: str
    tenant_id: str
    knowledge_base_id: str
    type: str
    title: str
    description: str
    source: str
    parse_status: str
    enable_status: str
    file_name: str
    file_type: str
    file_size: int
    file_hash: str
    error_message: str
    duplicate_of: str
    page_count: int
    chunk_count: int
    version: int
    metadata: dict[str, Any]
    expected_fields: dict[str, Any] = Field(default_factory=lambda: {})
    created_at: datetime
    updated_at: datetime
    processed_at: datetime | None


class KnowledgeSearchRequest(ApiModel):
    query: str
    knowledge_base_id: str | None = None
    knowledge_base_ids: list[str] | None = None
    match_count: int = 10
    filters: dict[str, str] | None = None


class KnowledgeUpdate(ApiModel):
    title: str | None = None
    description: str | None = None
    enable_status: Literal['enabled', 'disabled'] | None = None


class ManualKnowledge(ApiModel):
    title: str
    content: str
    expected_fields: dict[str, str | int | float] | None = None
    status: Literal['draft', 'publish'] = 'draft'


class Me(ApiModel):
    """The caller: who, in which tenant, with which scopes. ``csrf_token`` is set for a browser session."""

    actor: str
    tenant_id: str
    tenant_name: str
    role: Literal['owner', 'admin', 'editor', 'reviewer', 'viewer'] | None
    scopes: list[Literal['read', 'write', 'review', 'admin']]
    principals: list[str]
    user: UserPublic | None
    csrf_token: str | None = None
    session_expires_at: datetime | None = None


class MessagePublic(ApiModel):
    id: str
    session_id: str
    request_id: str
    role: str
    content: str
    knowledge_references: list[dict[str, Any]]
    stage_timings: list[dict[str, Any]]
    is_completed: bool
    status: str
    created_at: datetime
    updated_at: datetime


class MetricUsagePublic(ApiModel):
    metric: str
    used: int
    limit: int | None
    percent: float | None
    projected: int
    cost: str
    projected_cost: str
    by_subject: dict[str, int]


class ModelCreate(ApiModel):
    name: str
    type: ModelType
    source: ModelSource
    description: str = ''
    parameters: dict[str, Any] | None = None
    api_key: str | None = None
    is_default: bool = False


class ModelInputMessage(ApiModel):
    role: str
    content: str


class ModelInputPublic(ApiModel):
    """What the chat model received for one answer; ``masked`` counts the personal values it saw only as placeholders (⟦PHONE_1⟧ …), 0 when the mask did not apply (a local model, or the policy is off)."""

    masked: int
    messages: list[ModelInputMessage]
    passages: list[str]
    question: str


class ModelPublic(ApiModel):
    id: str
    tenant_id: str
    name: str
    type: str
    source: str
    description: str
    parameters: dict[str, Any]
    has_api_key: bool
    is_default: bool
    status: str
    created_at: datetime
    updated_at: datetime


class ModelUpdate(ApiModel):
    name: str | None = None
    description: str | None = None
    parameters: dict[str, Any] | None = None
    api_key: str | None = None
    is_default: bool | None = None


class ModelsPublic(ApiModel):
    versions: list[VersionPublic]
    taggers: list[TaggerPublic] | None = None
    champion: str | None
    challenger: str | None
    rollout: dict[str, Any]
    base_signals: dict[str, float]
    training_consent: bool
    data: dict[str, int]


class Paged_AuditEventPublic_(ApiModel):
    success: bool = True
    data: list[AuditEventPublic]
    total: int
    page: int
    page_size: int


class Paged_ChunkPublic_(ApiModel):
    success: bool = True
    data: list[ChunkPublic]
    total: int
    page: int
    page_size: int


class Paged_DeliveryPublic_(ApiModel):
    success: bool = True
    data: list[DeliveryPublic]
    total: int
    page: int
    page_size: int


class Paged_KnowledgePublic_(ApiModel):
    success: bool = True
    data: list[KnowledgePublic]
    total: int
    page: int
    page_size: int


class Paged_ReviewQueueItem_(ApiModel):
    success: bool = True
    data: list[ReviewQueueItem]
    total: int
    page: int
    page_size: int


class Paged_SessionPublic_(ApiModel):
    success: bool = True
    data: list[SessionPublic]
    total: int
    page: int
    page_size: int


class PasswordChange(ApiModel):
    current_password: str
    new_password: str


class PlanChange(ApiModel):
    plan_id: str


class PlanPublic(ApiModel):
    id: str
    name: str
    currency: str
    monthly_limits: dict[str, int]
    unit_prices: dict[str, str]


class ReplayRange(ApiModel):
    since: datetime
    until: datetime
    only_failed: bool = True


class ReplayResult(ApiModel):
    queued: int


class ReviewQueueItem(ApiModel):
    knowledge_id: str
    knowledge_base_id: str
    title: str
    status: str
    error_count: int
    lowest_confidence: float | None
    updated_at: datetime


class ReviewRequest(ApiModel):
    decision: Literal['approve', 'reject']
    corrections: dict[str, str] | None = None
    comment: str = ''
    reviewer: str = ''
    revision: int | None = None


class RollbackBody(ApiModel):
    reason: str = 'rolled back by hand'


class SchemaPreviewRequest(ApiModel):
    knowledge_id: str
    schema_: dict[str, Any] = Field(alias='schema')


class SearchResult(ApiModel):
    """WeKnora's SearchResult fields."""

    id: str
    content: str
    knowledge_id: str
    knowledge_base_id: str
    chunk_index: int
    knowledge_title: str
    start_at: int
    end_at: int
    seq: int
    score: float
    match_type: int
    sub_chunk_id: list[str]
    metadata: dict[str, Any]
    chunk_type: str
    parent_chunk_id: str
    image_info: str
    knowledge_filename: str
    knowledge_source: str


class SeatsPublic(ApiModel):
    used: int
    pending: int
    limit: int


class ServiceAccountCreate(ApiModel):
    name: str
    role: Literal['owner', 'admin', 'editor', 'reviewer', 'viewer'] = 'viewer'


class SessionCreate(ApiModel):
    max_rounds: int | None = None
    enable_rewrite: bool | None = None
    fallback_strategy: Literal['fixed', 'model'] | None = None
    fallback_response: str | None = None
    keyword_threshold: float | None = None
    vector_threshold: float | None = None
    embedding_top_k: int | None = None
    rerank_model_id: str | None = None
    rerank_top_k: int | None = None
    rerank_threshold: float | None = None
    summary_model_id: str | None = None
    summary_parameters: dict[str, Any] | None = None
    title: str | None = None
    description: str | None = None
    knowledge_base_id: str | None = None
    knowledge_base_ids: list[str] | None = None
    session_strategy: SessionStrategy | None = None


class SessionPublic(ApiModel):
    id: str
    tenant_id: str
    title: str
    description: str
    knowledge_base_ids: list[str]
    max_rounds: int
    enable_rewrite: bool
    fallback_strategy: str
    fallback_response: str = 'The documents do not contain the answer to this question.'
    keyword_threshold: float
    vector_threshold: float
    embedding_top_k: int
    rerank_model_id: str
    rerank_top_k: int
    rerank_threshold: float
    summary_model_id: str
    summary_parameters: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    knowledge_base_id: str


class SessionSettingsUpdate(ApiModel):
    """Every retrieval setting; absent fields keep their value."""

    max_rounds: int | None = None
    enable_rewrite: bool | None = None
    fallback_strategy: Literal['fixed', 'model'] | None = None
    fallback_response: str | None = None
    keyword_threshold: float | None = None
    vector_threshold: float | None = None
    embedding_top_k: int | None = None
    rerank_model_id: str | None = None
    rerank_top_k: int | None = None
    rerank_threshold: float | None = None
    summary_model_id: str | None = None
    summary_parameters: dict[str, Any] | None = None
    title: str | None = None
    description: str | None = None
    knowledge_base_id: str | None = None
    knowledge_base_ids: list[str] | None = None


class SessionStrategy(ApiModel):
    """WeKnora clients send the retrieval settings nested as ``session_strategy``; fields jisik does not have (e.g. ``no_match_prefix``) are ignored."""

    max_rounds: int | None = None
    enable_rewrite: bool | None = None
    fallback_strategy: Literal['fixed', 'model'] | None = None
    fallback_response: str | None = None
    keyword_threshold: float | None = None
    vector_threshold: float | None = None
    embedding_top_k: int | None = None
    rerank_model_id: str | None = None
    rerank_top_k: int | None = None
    rerank_threshold: float | None = None
    summary_model_id: str | None = None
    summary_parameters: dict[str, Any] | None = None


class SignInRequest(ApiModel):
    email: str
    password: str
    tenant_id: str | None = None


class SsoSettingsPublic(ApiModel):
    enabled: bool
    issuer: str
    client_id: str
    has_client_secret: bool
    group_claim: str
    scopes: str
    default_role: str
    redirect_uri: str


class SsoSettingsUpdate(ApiModel):
    enabled: bool = False
    issuer: str = ''
    client_id: str = ''
    client_secret: str | None = None
    group_claim: str = 'groups'
    scopes: str = 'openid email profile'
    default_role: str = 'viewer'


class TaggerPublic(ApiModel):
    """A knowledge base with a field schema: its reviewed documents (the tagger's training data) and its tagger versions."""

    knowledge_base_id: str
    name: str
    reviewed_documents: int
    versions: list[TaggerVersionPublic]


class TaggerVersionPublic(ApiModel):
    id: str
    version: int
    snapshot_id: str
    job_id: str
    metrics: dict[str, Any]
    champion_metrics: dict[str, Any]
    artifact_sha256: str
    training_s: float
    aliases: list[str]
    created_at: datetime


class TenantCreate(ApiModel):
    name: str
    description: str = ''


class TenantCreated(ApiModel):
    id: str
    name: str
    description: str
    api_key_prefix: str
    storage_quota: int
    storage_used: int
    pii_policy: MaskPolicy | None = None
    pii_types: list[PiiType] = Field(default_factory=lambda: [])
    training_consent: bool = False
    retention_days: int | None = None
    created_at: datetime
    updated_at: datetime
    api_key: str


class TenantPublic(ApiModel):
    id: str
    name: str
    description: str
    api_key_prefix: str
    storage_quota: int
    storage_used: int
    pii_policy: MaskPolicy | None = None
    pii_types: list[PiiType] = Field(default_factory=lambda: [])
    training_consent: bool = False
    retention_days: int | None = None
    created_at: datetime
    updated_at: datetime


class TenantUpdate(ApiModel):
    name: str | None = None
    description: str | None = None
    pii_policy: MaskPolicy | None = None
    pii_types: list[PiiType] | None = None
    training_consent: bool | None = None
    retention_days: int | None = None


class TenantUsagePublic(ApiModel):
    tenant_id: str
    name: str | None
    plan: str
    used: dict[str, int]
    cost: str
    currency: str


class ThresholdPublic(ApiModel):
    metric: str
    level: int
    used: int
    limit: int
    crossed_at: datetime


class UsagePublic(ApiModel):
    period: str
    period_start: datetime
    period_end: datetime
    plan: PlanPublic
    metrics: list[MetricUsagePublic]
    daily: list[dict[str, int | str]]
    thresholds: list[ThresholdPublic]
    cost: str
    projected_cost: str


class UserPublic(ApiModel):
    id: str
    kind: Literal['person', 'service']
    email: str | None
    name: str
    role: Literal['owner', 'admin', 'editor', 'reviewer', 'viewer']
    disabled: bool
    must_change_password: bool
    locked_until: datetime | None
    last_signin_at: datetime | None
    created_at: datetime


class UserUpdate(ApiModel):
    role: Literal['owner', 'admin', 'editor', 'reviewer', 'viewer'] | None = None
    disabled: bool | None = None
    name: str | None = None


class ValidationError(ApiModel):
    loc: list[str | int]
    msg: str
    type: str
    input: Any = None
    ctx: dict[str, Any] | None = None


class VersionPublic(ApiModel):
    """A retrieval model version (``kind``: retrieval or cross_encoder), with its online signals; a fine-tuned bi-encoder also with the state of its vectors of the knowledge base (queued, embedding, ready, stale, failed; '' when never asked) and the progress of its latest re-embed job."""

    id: str
    version: int
    snapshot_id: str
    job_id: str
    metrics: dict[str, Any]
    champion_metrics: dict[str, Any]
    artifact_sha256: str
    training_s: float
    aliases: list[str]
    created_at: datetime
    kind: str
    signals: dict[str, float]
    vectors_state: str = ''
    vectors_progress: float = 0.0


for _model in list(globals().values()):
    if isinstance(_model, type) and issubclass(_model, ApiModel) and _model is not ApiModel:
        _model.model_rebuild()
