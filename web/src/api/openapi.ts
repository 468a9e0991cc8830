// Generated from the gateway's OpenAPI document by scripts/openapi_clients.py. Do not edit:
// run `.venv/bin/python scripts/openapi_clients.py` after changing a route or a schema.
/* eslint-disable */

/** ``user:<id>`` and ``group:<name>`` entries; an empty list means "no restriction of its own". */
export type AccessListUpdate = {
  principals?: Array<string>;
};

/** "Add to knowledge base": a Markdown draft from one assistant message (or given text). */
export type AnswerToKnowledge = {
  knowledge_base_id: string;
  message_id?: string | null;
  question?: string | null;
  answer?: string | null;
};

export type ApiKeyCreate = {
  name: string;
  scopes: Array<"read" | "write" | "review" | "admin">;
  expires_in_days?: number;
  user_id?: string | null;
};

export type ApiKeyCreated = {
  id: string;
  user_id: string;
  name: string;
  prefix: string;
  scopes: Array<"read" | "write" | "review" | "admin">;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  created_by: string;
  created_at: string;
  key: string;
};

export type ApiKeyPublic = {
  id: string;
  user_id: string;
  name: string;
  prefix: string;
  scopes: Array<"read" | "write" | "review" | "admin">;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  created_by: string;
  created_at: string;
};

export type AttemptPublic = {
  attempted_at: string;
  result: string;
  response_code: number | null;
  latency_ms: number;
  response_body: string;
  error: string;
};

/** One column's values before and after (absent on a create or a delete), secrets and PII masked. */
export type AuditChange = {
  before?: unknown;
  after?: unknown;
};

export type AuditEventPublic = {
  id: string;
  entity_type: string;
  entity_id: string;
  action: "created" | "updated" | "deleted";
  knowledge_base_id: string;
  document_id: string;
  actor: string;
  request_id: string;
  occurred_at: string;
  changes: Record<string, AuditChange>;
};

export type Body_upload_api_v1_knowledge_bases__knowledge_base_id__knowledge_file_post = {
  file: Blob;
  expected_fields?: string | null;
};

export type Body_upload_pairs_api_v1_ml_training_data_post = {
  file: Blob;
};

export type ChatQuery = {
  query: string;
  knowledge_base_ids?: Array<string> | null;
};

export type Check = {
  rule: string;
  ok: boolean;
  message?: string;
};

export type ChunkPublic = {
  id: string;
  knowledge_id: string;
  knowledge_base_id: string;
  content: string;
  chunk_index: number;
  start_at: number;
  end_at: number;
  pages: Array<number>;
  chunk_type: string;
  image_info: Array<Record<string, unknown>>;
  is_enabled: boolean;
  created_at: string;
  updated_at: string;
};

export type ChunkUpdate = {
  content?: string | null;
  is_enabled?: boolean | null;
};

export type ChunkingConfig = {
  chunk_size?: number;
  chunk_overlap?: number;
  separators?: Array<string>;
  enable_multimodal?: boolean;
};

export type DeliveryPublic = {
  id: string;
  event_id: string;
  event_type: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  last_attempt_at: string | null;
  last_response_code: number | null;
  created_at: string;
  payload: Record<string, unknown>;
  attempt_log: Array<AttemptPublic>;
};

export type DocumentAccess = {
  knowledge_id: string;
  principals: Array<string>;
  inherited: Array<string>;
  effective: Array<string>;
  may_manage: boolean;
};

export type DocumentFieldsPublic = {
  knowledge_id: string;
  knowledge_base_id: string;
  status: string;
  fields: Array<FieldResult>;
  errors: Array<Record<string, unknown>>;
  duplicate_of: string;
  schema_version: number;
  revision: number;
  reviewed_by?: string;
  reviewed_at?: string | null;
  page_count?: number;
};

export type EndpointCreate = {
  url: string;
  event_types: Array<string>;
  description?: string;
  enabled?: boolean;
};

export type EndpointCreated = {
  id: string;
  url: string;
  description: string;
  event_types: Array<string>;
  enabled: boolean;
  disabled_reason: string;
  failing_since: string | null;
  secret_prefix: string;
  previous_secret_expires_at: string | null;
  created_at: string;
  updated_at: string;
  secret: string;
};

export type EndpointPublic = {
  id: string;
  url: string;
  description: string;
  event_types: Array<string>;
  enabled: boolean;
  disabled_reason: string;
  failing_since: string | null;
  secret_prefix: string;
  previous_secret_expires_at: string | null;
  created_at: string;
  updated_at: string;
};

export type EndpointUpdate = {
  url?: string | null;
  event_types?: Array<string> | null;
  description?: string | null;
  enabled?: boolean | null;
};

export type Envelope_ApiKeyCreated_ = {
  success?: boolean;
  data: ApiKeyCreated;
};

export type Envelope_ApiKeyPublic_ = {
  success?: boolean;
  data: ApiKeyPublic;
};

export type Envelope_ChunkPublic_ = {
  success?: boolean;
  data: ChunkPublic;
};

export type Envelope_DocumentAccess_ = {
  success?: boolean;
  data: DocumentAccess;
};

export type Envelope_DocumentFieldsPublic_ = {
  success?: boolean;
  data: DocumentFieldsPublic;
};

export type Envelope_EndpointCreated_ = {
  success?: boolean;
  data: EndpointCreated;
};

export type Envelope_EndpointPublic_ = {
  success?: boolean;
  data: EndpointPublic;
};

export type Envelope_FeedbackPublic_ = {
  success?: boolean;
  data: FeedbackPublic;
};

export type Envelope_FieldSchemaPublic_ = {
  success?: boolean;
  data: FieldSchemaPublic;
};

export type Envelope_GroupPublic_ = {
  success?: boolean;
  data: GroupPublic;
};

export type Envelope_InvitationCreated_ = {
  success?: boolean;
  data: InvitationCreated;
};

export type Envelope_JobPublic_ = {
  success?: boolean;
  data: JobPublic;
};

export type Envelope_KnowledgeBaseAccess_ = {
  success?: boolean;
  data: KnowledgeBaseAccess;
};

export type Envelope_KnowledgeBasePublic_ = {
  success?: boolean;
  data: KnowledgeBasePublic;
};

export type Envelope_KnowledgePublic_ = {
  success?: boolean;
  data: KnowledgePublic;
};

export type Envelope_Me_ = {
  success?: boolean;
  data: Me;
};

export type Envelope_ModelInputPublic_ = {
  success?: boolean;
  data: ModelInputPublic;
};

export type Envelope_ModelPublic_ = {
  success?: boolean;
  data: ModelPublic;
};

export type Envelope_ModelsPublic_ = {
  success?: boolean;
  data: ModelsPublic;
};

export type Envelope_NoneType_ = {
  success?: boolean;
  data: null;
};

export type Envelope_ReplayResult_ = {
  success?: boolean;
  data: ReplayResult;
};

export type Envelope_SeatsPublic_ = {
  success?: boolean;
  data: SeatsPublic;
};

export type Envelope_SessionPublic_ = {
  success?: boolean;
  data: SessionPublic;
};

export type Envelope_SsoSettingsPublic_ = {
  success?: boolean;
  data: SsoSettingsPublic;
};

export type Envelope_TenantCreated_ = {
  success?: boolean;
  data: TenantCreated;
};

export type Envelope_TenantPublic_ = {
  success?: boolean;
  data: TenantPublic;
};

export type Envelope_Union_ErasureReceiptPublic__NoneType__ = {
  success?: boolean;
  data: ErasureReceiptPublic | null;
};

export type Envelope_Union_Me__NoneType__ = {
  success?: boolean;
  data: Me | null;
};

export type Envelope_UsagePublic_ = {
  success?: boolean;
  data: UsagePublic;
};

export type Envelope_UserPublic_ = {
  success?: boolean;
  data: UserPublic;
};

export type Envelope_dict_str__Any__ = {
  success?: boolean;
  data: Record<string, unknown>;
};

export type Envelope_dict_str__bool__ = {
  success?: boolean;
  data: Record<string, boolean>;
};

export type Envelope_dict_str__int__ = {
  success?: boolean;
  data: Record<string, number>;
};

export type Envelope_list_ApiKeyPublic__ = {
  success?: boolean;
  data: Array<ApiKeyPublic>;
};

export type Envelope_list_EndpointPublic__ = {
  success?: boolean;
  data: Array<EndpointPublic>;
};

export type Envelope_list_EventTypePublic__ = {
  success?: boolean;
  data: Array<EventTypePublic>;
};

export type Envelope_list_GroupPublic__ = {
  success?: boolean;
  data: Array<GroupPublic>;
};

export type Envelope_list_InvitationPublic__ = {
  success?: boolean;
  data: Array<InvitationPublic>;
};

export type Envelope_list_JobPublic__ = {
  success?: boolean;
  data: Array<JobPublic>;
};

export type Envelope_list_KnowledgeBasePublic__ = {
  success?: boolean;
  data: Array<KnowledgeBasePublic>;
};

export type Envelope_list_KnowledgePublic__ = {
  success?: boolean;
  data: Array<KnowledgePublic>;
};

export type Envelope_list_MessagePublic__ = {
  success?: boolean;
  data: Array<MessagePublic>;
};

export type Envelope_list_ModelPublic__ = {
  success?: boolean;
  data: Array<ModelPublic>;
};

export type Envelope_list_PlanPublic__ = {
  success?: boolean;
  data: Array<PlanPublic>;
};

export type Envelope_list_SearchResult__ = {
  success?: boolean;
  data: Array<SearchResult>;
};

export type Envelope_list_TenantPublic__ = {
  success?: boolean;
  data: Array<TenantPublic>;
};

export type Envelope_list_TenantUsagePublic__ = {
  success?: boolean;
  data: Array<TenantUsagePublic>;
};

export type Envelope_list_UserPublic__ = {
  success?: boolean;
  data: Array<UserPublic>;
};

/** What an erasure removed: counts per kind, sha256 of the deleted object keys, and the tombstones the compacted topics get after the commit. Never any document text. */
export type ErasureReceiptPublic = {
  knowledge_id: string;
  removed: Record<string, number>;
  object_key_sha256: Array<string>;
  tombstones: Record<string, number>;
};

export type EventTypePublic = {
  type: string;
  version: number;
  description: string;
  schema: Record<string, unknown>;
};

export type FeedbackCreate = {
  message_id: string;
  citation?: number;
  rating: "up" | "down";
};

export type FeedbackPublic = {
  message_id: string;
  citation: number;
  rating: "up" | "down";
  model_version_id: string;
};

export type FieldResult = {
  name: string;
  value: string;
  normalized: string;
  confidence: number;
  page?: number | null;
  bbox?: Array<number> | null;
  source_text?: string;
  note?: string;
  reviewed?: boolean;
  checks?: Array<Check>;
};

export type FieldSchemaPublic = {
  version: number;
  fields: Array<Record<string, unknown>>;
  rules: Array<Record<string, unknown>>;
  duplicate_key: Array<string>;
  review_threshold: number;
};

export type GroupCreate = {
  name: string;
  description?: string;
};

export type GroupPublic = {
  id: string;
  name: string;
  description: string;
  principal: string;
  member_ids: Array<string>;
  created_at: string;
};

export type GroupUpdate = {
  name?: string | null;
  description?: string | null;
};

export type HTTPValidationError = {
  detail?: Array<ValidationError>;
};

export type InvitationAccept = {
  token: string;
  name?: string;
  password: string;
};

export type InvitationCreate = {
  email: string;
  role?: "owner" | "admin" | "editor" | "reviewer" | "viewer";
};

export type InvitationCreated = {
  id: string;
  email: string;
  role: "owner" | "admin" | "editor" | "reviewer" | "viewer";
  invited_by: string;
  expires_at: string;
  created_at: string;
  token: string;
};

export type InvitationPublic = {
  id: string;
  email: string;
  role: "owner" | "admin" | "editor" | "reviewer" | "viewer";
  invited_by: string;
  expires_at: string;
  created_at: string;
};

export type JobCreate = {
  kind?: "retrieval" | "cross_encoder" | "field_tagger";
  knowledge_base_id?: string | null;
};

export type JobPublic = {
  id: string;
  status: string;
  parameters: Record<string, unknown>;
  progress: number;
  logs: Array<string>;
  error: string;
  snapshot_id: string;
  version_id: string;
  attempts: number;
  cancel_requested: boolean;
  created_at: string;
  updated_at: string;
};

export type KnowledgeBaseAccess = {
  knowledge_base_id: string;
  principals: Array<string>;
  owner: string;
  may_manage: boolean;
};

export type KnowledgeBaseCreate = {
  name: string;
  description?: string;
  chunking_config?: ChunkingConfig;
  image_processing_config?: Record<string, unknown>;
  embedding_model_id?: string;
  summary_model_id?: string;
  rerank_model_id?: string;
  vlm_model_id?: string;
  retention_days?: number | null;
};

export type KnowledgeBasePublic = {
  id: string;
  tenant_id: string;
  name: string;
  description: string;
  chunking_config: Record<string, unknown>;
  image_processing_config: Record<string, unknown>;
  embedding_model_id: string;
  summary_model_id: string;
  rerank_model_id: string;
  vlm_model_id: string;
  retention_days?: number | null;
  created_at: string;
  updated_at: string;
};

export type KnowledgeBaseUpdate = {
  name?: string | null;
  description?: string | null;
  chunking_config?: ChunkingConfig | null;
  image_processing_config?: (Record<string, unknown>) | null;
  summary_model_id?: string | null;
  rerank_model_id?: string | null;
  vlm_model_id?: string | null;
  retention_days?: number | null;
};

export type KnowledgeFromUrl = {
  url: string;
  title?: string;
  expected_fields?: Record<string, string | number>;
};

export type KnowledgePublic = {
  id: string;
  tenant_id: string;
  knowledge_base_id: string;
  type: string;
  title: string;
  description: string;
  source: string;
  parse_status: string;
  enable_status: string;
  file_name: string;
  file_type: string;
  file_size: number;
  file_hash: string;
  error_message: string;
  duplicate_of: string;
  page_count: number;
  chunk_count: number;
  version: number;
  metadata: Record<string, unknown>;
  expected_fields?: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  processed_at: string | null;
};

export type KnowledgeSearchRequest = {
  query: string;
  knowledge_base_id?: string | null;
  knowledge_base_ids?: Array<string> | null;
  match_count?: number;
  filters?: Record<string, string>;
};

export type KnowledgeUpdate = {
  title?: string | null;
  description?: string | null;
  enable_status?: ("enabled" | "disabled") | null;
};

export type ManualKnowledge = {
  title: string;
  content: string;
  expected_fields?: Record<string, string | number>;
  status?: "draft" | "publish";
};

export type MaskPolicy = "off" | "remote" | "always";

/** The caller: who, in which tenant, with which scopes. ``csrf_token`` is set for a browser session. */
export type Me = {
  actor: string;
  tenant_id: string;
  tenant_name: string;
  role: ("owner" | "admin" | "editor" | "reviewer" | "viewer") | null;
  scopes: Array<"read" | "write" | "review" | "admin">;
  principals: Array<string>;
  user: UserPublic | null;
  csrf_token?: string | null;
  session_expires_at?: string | null;
};

export type MessagePublic = {
  id: string;
  session_id: string;
  request_id: string;
  role: string;
  content: string;
  knowledge_references: Array<Record<string, unknown>>;
  stage_timings: Array<Record<string, unknown>>;
  is_completed: boolean;
  status: string;
  created_at: string;
  updated_at: string;
};

export type MetricUsagePublic = {
  metric: string;
  used: number;
  limit: number | null;
  percent: number | null;
  projected: number;
  cost: string;
  projected_cost: string;
  by_subject: Record<string, number>;
};

export type ModelCreate = {
  name: string;
  type: ModelType;
  source: ModelSource;
  description?: string;
  parameters?: Record<string, unknown>;
  api_key?: string | null;
  is_default?: boolean;
};

export type ModelInputMessage = {
  role: string;
  content: string;
};

/** What the chat model received for one answer; ``masked`` counts the personal values it saw only as placeholders (⟦PHONE_1⟧ …), 0 when the mask did not apply (a local model, or the policy is off). */
export type ModelInputPublic = {
  masked: number;
  messages: Array<ModelInputMessage>;
  passages: Array<string>;
  question: string;
};

export type ModelPublic = {
  id: string;
  tenant_id: string;
  name: string;
  type: string;
  source: string;
  description: string;
  parameters: Record<string, unknown>;
  has_api_key: boolean;
  is_default: boolean;
  status: string;
  created_at: string;
  updated_at: string;
};

export type ModelSource = "local" | "remote";

export type ModelType = "Embedding" | "Rerank" | "KnowledgeQA" | "VLLM";

export type ModelUpdate = {
  name?: string | null;
  description?: string | null;
  parameters?: (Record<string, unknown>) | null;
  api_key?: string | null;
  is_default?: boolean | null;
};

export type ModelsPublic = {
  versions: Array<VersionPublic>;
  taggers?: Array<TaggerPublic>;
  champion: string | null;
  challenger: string | null;
  rollout: Record<string, unknown>;
  base_signals: Record<string, number>;
  training_consent: boolean;
  data: Record<string, number>;
};

export type Paged_AuditEventPublic_ = {
  success?: boolean;
  data: Array<AuditEventPublic>;
  total: number;
  page: number;
  page_size: number;
};

export type Paged_ChunkPublic_ = {
  success?: boolean;
  data: Array<ChunkPublic>;
  total: number;
  page: number;
  page_size: number;
};

export type Paged_DeliveryPublic_ = {
  success?: boolean;
  data: Array<DeliveryPublic>;
  total: number;
  page: number;
  page_size: number;
};

export type Paged_KnowledgePublic_ = {
  success?: boolean;
  data: Array<KnowledgePublic>;
  total: number;
  page: number;
  page_size: number;
};

export type Paged_ReviewQueueItem_ = {
  success?: boolean;
  data: Array<ReviewQueueItem>;
  total: number;
  page: number;
  page_size: number;
};

export type Paged_SessionPublic_ = {
  success?: boolean;
  data: Array<SessionPublic>;
  total: number;
  page: number;
  page_size: number;
};

export type PasswordChange = {
  current_password: string;
  new_password: string;
};

export type PiiType = "RRN" | "FRN" | "BRN" | "CORP" | "PHONE" | "EMAIL" | "CARD" | "ACCOUNT" | "PASSPORT" | "DRIVER" | "ADDRESS" | "NAME" | "IBAN";

export type PlanChange = {
  plan_id: string;
};

export type PlanPublic = {
  id: string;
  name: string;
  currency: string;
  monthly_limits: Record<string, number>;
  unit_prices: Record<string, string>;
};

export type ReplayRange = {
  since: string;
  until: string;
  only_failed?: boolean;
};

export type ReplayResult = {
  queued: number;
};

export type ReviewQueueItem = {
  knowledge_id: string;
  knowledge_base_id: string;
  title: string;
  status: string;
  error_count: number;
  lowest_confidence: number | null;
  updated_at: string;
};

export type ReviewRequest = {
  decision: "approve" | "reject";
  corrections?: Record<string, string>;
  comment?: string;
  reviewer?: string;
  revision?: number | null;
};

export type RollbackBody = {
  reason?: string;
};

export type SchemaPreviewRequest = {
  knowledge_id: string;
  schema: Record<string, unknown>;
};

/** WeKnora's SearchResult fields. */
export type SearchResult = {
  id: string;
  content: string;
  knowledge_id: string;
  knowledge_base_id: string;
  chunk_index: number;
  knowledge_title: string;
  start_at: number;
  end_at: number;
  seq: number;
  score: number;
  match_type: number;
  sub_chunk_id: Array<string>;
  metadata: Record<string, unknown>;
  chunk_type: string;
  parent_chunk_id: string;
  image_info: string;
  knowledge_filename: string;
  knowledge_source: string;
};

export type SeatsPublic = {
  used: number;
  pending: number;
  limit: number;
};

export type ServiceAccountCreate = {
  name: string;
  role?: "owner" | "admin" | "editor" | "reviewer" | "viewer";
};

export type SessionCreate = {
  max_rounds?: number | null;
  enable_rewrite?: boolean | null;
  fallback_strategy?: ("fixed" | "model") | null;
  fallback_response?: string | null;
  keyword_threshold?: number | null;
  vector_threshold?: number | null;
  embedding_top_k?: number | null;
  rerank_model_id?: string | null;
  rerank_top_k?: number | null;
  rerank_threshold?: number | null;
  summary_model_id?: string | null;
  summary_parameters?: (Record<string, unknown>) | null;
  title?: string | null;
  description?: string | null;
  knowledge_base_id?: string | null;
  knowledge_base_ids?: Array<string> | null;
  session_strategy?: SessionStrategy | null;
};

export type SessionPublic = {
  id: string;
  tenant_id: string;
  title: string;
  description: string;
  knowledge_base_ids: Array<string>;
  max_rounds: number;
  enable_rewrite: boolean;
  fallback_strategy: string;
  fallback_response?: string;
  keyword_threshold: number;
  vector_threshold: number;
  embedding_top_k: number;
  rerank_model_id: string;
  rerank_top_k: number;
  rerank_threshold: number;
  summary_model_id: string;
  summary_parameters: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  knowledge_base_id: string;
};

/** Every retrieval setting; absent fields keep their value. */
export type SessionSettingsUpdate = {
  max_rounds?: number | null;
  enable_rewrite?: boolean | null;
  fallback_strategy?: ("fixed" | "model") | null;
  fallback_response?: string | null;
  keyword_threshold?: number | null;
  vector_threshold?: number | null;
  embedding_top_k?: number | null;
  rerank_model_id?: string | null;
  rerank_top_k?: number | null;
  rerank_threshold?: number | null;
  summary_model_id?: string | null;
  summary_parameters?: (Record<string, unknown>) | null;
  title?: string | null;
  description?: string | null;
  knowledge_base_id?: string | null;
  knowledge_base_ids?: Array<string> | null;
};

/** WeKnora clients send the retrieval settings nested as ``session_strategy``; fields jisik does not have (e.g. ``no_match_prefix``) are ignored. */
export type SessionStrategy = {
  max_rounds?: number | null;
  enable_rewrite?: boolean | null;
  fallback_strategy?: ("fixed" | "model") | null;
  fallback_response?: string | null;
  keyword_threshold?: number | null;
  vector_threshold?: number | null;
  embedding_top_k?: number | null;
  rerank_model_id?: string | null;
  rerank_top_k?: number | null;
  rerank_threshold?: number | null;
  summary_model_id?: string | null;
  summary_parameters?: (Record<string, unknown>) | null;
};

export type SignInRequest = {
  email: string;
  password: string;
  tenant_id?: string | null;
};

export type SsoSettingsPublic = {
  enabled: boolean;
  issuer: string;
  client_id: string;
  has_client_secret: boolean;
  group_claim: string;
  scopes: string;
  default_role: string;
  redirect_uri: string;
};

export type SsoSettingsUpdate = {
  enabled?: boolean;
  issuer?: string;
  client_id?: string;
  client_secret?: string | null;
  group_claim?: string;
  scopes?: string;
  default_role?: string;
};

/** A knowledge base with a field schema: its reviewed documents (the tagger's training data) and its tagger versions. */
export type TaggerPublic = {
  knowledge_base_id: string;
  name: string;
  reviewed_documents: number;
  versions: Array<TaggerVersionPublic>;
};

export type TaggerVersionPublic = {
  id: string;
  version: number;
  snapshot_id: string;
  job_id: string;
  metrics: Record<string, unknown>;
  champion_metrics: Record<string, unknown>;
  artifact_sha256: string;
  training_s: number;
  aliases: Array<string>;
  created_at: string;
};

export type TenantCreate = {
  name: string;
  description?: string;
};

export type TenantCreated = {
  id: string;
  name: string;
  description: string;
  api_key_prefix: string;
  storage_quota: number;
  storage_used: number;
  pii_policy?: MaskPolicy | null;
  pii_types?: Array<PiiType>;
  training_consent?: boolean;
  retention_days?: number | null;
  created_at: string;
  updated_at: string;
  api_key: string;
};

export type TenantPublic = {
  id: string;
  name: string;
  description: string;
  api_key_prefix: string;
  storage_quota: number;
  storage_used: number;
  pii_policy?: MaskPolicy | null;
  pii_types?: Array<PiiType>;
  training_consent?: boolean;
  retention_days?: number | null;
  created_at: string;
  updated_at: string;
};

export type TenantUpdate = {
  name?: string | null;
  description?: string | null;
  pii_policy?: MaskPolicy | null;
  pii_types?: Array<PiiType> | null;
  training_consent?: boolean | null;
  retention_days?: number | null;
};

export type TenantUsagePublic = {
  tenant_id: string;
  name: string | null;
  plan: string;
  used: Record<string, number>;
  cost: string;
  currency: string;
};

export type ThresholdPublic = {
  metric: string;
  level: number;
  used: number;
  limit: number;
  crossed_at: string;
};

export type UsagePublic = {
  period: string;
  period_start: string;
  period_end: string;
  plan: PlanPublic;
  metrics: Array<MetricUsagePublic>;
  daily: Array<Record<string, number | string>>;
  thresholds: Array<ThresholdPublic>;
  cost: string;
  projected_cost: string;
};

export type UserPublic = {
  id: string;
  kind: "person" | "service";
  email: string | null;
  name: string;
  role: "owner" | "admin" | "editor" | "reviewer" | "viewer";
  disabled: boolean;
  must_change_password: boolean;
  locked_until: string | null;
  last_signin_at: string | null;
  created_at: string;
};

export type UserUpdate = {
  role?: ("owner" | "admin" | "editor" | "reviewer" | "viewer") | null;
  disabled?: boolean | null;
  name?: string | null;
};

export type ValidationError = {
  loc: Array<string | number>;
  msg: string;
  type: string;
  input?: unknown;
  ctx?: Record<string, unknown>;
};

/** A retrieval model version (``kind``: retrieval or cross_encoder), with its online signals; a fine-tuned bi-encoder also with the state of its vectors of the knowledge base (queued, embedding, ready, stale, failed; '' when never asked) and the progress of its latest re-embed job. */
export type VersionPublic = {
  id: string;
  version: number;
  snapshot_id: string;
  job_id: string;
  metrics: Record<string, unknown>;
  champion_metrics: Record<string, unknown>;
  artifact_sha256: string;
  training_s: number;
  aliases: Array<string>;
  created_at: string;
  kind: string;
  signals: Record<string, number>;
  vectors_state?: string;
  vectors_progress?: number;
};

/** Every /api/v1 operation, keyed by `METHOD /path` (the path without /api/v1). */
export interface Operations {
  "GET /tenants": {
    path: {};
    query: {};
    body: never;
    response: Envelope_list_TenantPublic__;
  };
  "POST /tenants": {
    path: {};
    query: {};
    body: TenantCreate;
    response: Envelope_TenantCreated_;
  };
  "GET /tenants/{tenant_id}": {
    path: { tenant_id: string; };
    query: {};
    body: never;
    response: Envelope_TenantPublic_;
  };
  "PUT /tenants/{tenant_id}": {
    path: { tenant_id: string; };
    query: {};
    body: TenantUpdate;
    response: Envelope_TenantPublic_;
  };
  "DELETE /tenants/{tenant_id}": {
    path: { tenant_id: string; };
    query: {};
    body: never;
    response: Envelope_NoneType_;
  };
  "POST /tenants/{tenant_id}/api-key/rotate": {
    path: { tenant_id: string; };
    query: {};
    body: never;
    response: Envelope_TenantCreated_;
  };
  "POST /tenants/{tenant_id}/api-key/revoke": {
    path: { tenant_id: string; };
    query: {};
    body: never;
    response: Envelope_NoneType_;
  };
  "GET /knowledge-bases": {
    path: {};
    query: {};
    body: never;
    response: Envelope_list_KnowledgeBasePublic__;
  };
  "POST /knowledge-bases": {
    path: {};
    query: {};
    body: KnowledgeBaseCreate;
    response: Envelope_KnowledgeBasePublic_;
  };
  "GET /knowledge-bases/{knowledge_base_id}": {
    path: { knowledge_base_id: string; };
    query: {};
    body: never;
    response: Envelope_KnowledgeBasePublic_;
  };
  "PUT /knowledge-bases/{knowledge_base_id}": {
    path: { knowledge_base_id: string; };
    query: {};
    body: KnowledgeBaseUpdate;
    response: Envelope_KnowledgeBasePublic_;
  };
  "DELETE /knowledge-bases/{knowledge_base_id}": {
    path: { knowledge_base_id: string; };
    query: {};
    body: never;
    response: Envelope_NoneType_;
  };
  "GET /knowledge-bases/{knowledge_base_id}/hybrid-search": {
    path: { knowledge_base_id: string; };
    query: {};
    body: never;
    response: Envelope_list_SearchResult__;
  };
  "POST /knowledge-bases/{knowledge_base_id}/hybrid-search": {
    path: { knowledge_base_id: string; };
    query: {};
    body: never;
    response: Envelope_list_SearchResult__;
  };
  "POST /knowledge-bases/{knowledge_base_id}/knowledge/file": {
    path: { knowledge_base_id: string; };
    query: {};
    body: FormData;
    response: Envelope_KnowledgePublic_;
  };
  "POST /knowledge-bases/{knowledge_base_id}/knowledge/url": {
    path: { knowledge_base_id: string; };
    query: {};
    body: KnowledgeFromUrl;
    response: Envelope_KnowledgePublic_;
  };
  "POST /knowledge-bases/{knowledge_base_id}/knowledge/manual": {
    path: { knowledge_base_id: string; };
    query: {};
    body: ManualKnowledge;
    response: Envelope_KnowledgePublic_;
  };
  "PUT /knowledge/manual/{knowledge_id}": {
    path: { knowledge_id: string; };
    query: {};
    body: ManualKnowledge;
    response: Envelope_KnowledgePublic_;
  };
  "POST /knowledge/from-answer": {
    path: {};
    query: {};
    body: AnswerToKnowledge;
    response: Envelope_KnowledgePublic_;
  };
  "GET /knowledge-bases/{knowledge_base_id}/knowledge": {
    path: { knowledge_base_id: string; };
    query: { page?: number; page_size?: number; };
    body: never;
    response: Paged_KnowledgePublic_;
  };
  "GET /knowledge/batch": {
    path: {};
    query: { ids: Array<string>; };
    body: never;
    response: Envelope_list_KnowledgePublic__;
  };
  "GET /knowledge/{knowledge_id}": {
    path: { knowledge_id: string; };
    query: {};
    body: never;
    response: Envelope_KnowledgePublic_;
  };
  "PUT /knowledge/{knowledge_id}": {
    path: { knowledge_id: string; };
    query: {};
    body: KnowledgeUpdate;
    response: Envelope_KnowledgePublic_;
  };
  "DELETE /knowledge/{knowledge_id}": {
    path: { knowledge_id: string; };
    query: { erase?: boolean; };
    body: never;
    response: Envelope_Union_ErasureReceiptPublic__NoneType__;
  };
  "POST /knowledge/{knowledge_id}/reprocess": {
    path: { knowledge_id: string; };
    query: {};
    body: never;
    response: Envelope_KnowledgePublic_;
  };
  "GET /knowledge/{knowledge_id}/download": {
    path: { knowledge_id: string; };
    query: {};
    body: never;
    response: unknown;
  };
  "GET /knowledge/{knowledge_id}/pages/{page}.png": {
    path: { knowledge_id: string; page: number; };
    query: { chunk_id?: Array<string>; focus?: string; };
    body: never;
    response: Blob;
  };
  "GET /knowledge-bases/{knowledge_base_id}/field-schema": {
    path: { knowledge_base_id: string; };
    query: {};
    body: never;
    response: Envelope_FieldSchemaPublic_;
  };
  "PUT /knowledge-bases/{knowledge_base_id}/field-schema": {
    path: { knowledge_base_id: string; };
    query: {};
    body: never;
    response: Envelope_FieldSchemaPublic_;
  };
  "POST /knowledge-bases/{knowledge_base_id}/field-schema/preview": {
    path: { knowledge_base_id: string; };
    query: {};
    body: SchemaPreviewRequest;
    response: Envelope_dict_str__Any__;
  };
  "GET /knowledge/{knowledge_id}/fields": {
    path: { knowledge_id: string; };
    query: {};
    body: never;
    response: Envelope_DocumentFieldsPublic_;
  };
  "GET /review-queue": {
    path: {};
    query: { knowledge_base_id?: string | null; status?: string; page?: number; page_size?: number; };
    body: never;
    response: Paged_ReviewQueueItem_;
  };
  "GET /knowledge-bases/{knowledge_base_id}/review-counts": {
    path: { knowledge_base_id: string; };
    query: {};
    body: never;
    response: Envelope_dict_str__int__;
  };
  "POST /knowledge/{knowledge_id}/review": {
    path: { knowledge_id: string; };
    query: {};
    body: ReviewRequest;
    response: Envelope_DocumentFieldsPublic_;
  };
  "GET /chunks/{knowledge_id}": {
    path: { knowledge_id: string; };
    query: { page?: number; page_size?: number; };
    body: never;
    response: Paged_ChunkPublic_;
  };
  "DELETE /chunks/{knowledge_id}": {
    path: { knowledge_id: string; };
    query: {};
    body: never;
    response: Envelope_dict_str__int__;
  };
  "PUT /chunks/{knowledge_id}/{chunk_id}": {
    path: { knowledge_id: string; chunk_id: string; };
    query: {};
    body: ChunkUpdate;
    response: Envelope_ChunkPublic_;
  };
  "DELETE /chunks/{knowledge_id}/{chunk_id}": {
    path: { knowledge_id: string; chunk_id: string; };
    query: {};
    body: never;
    response: Envelope_NoneType_;
  };
  "GET /sessions": {
    path: {};
    query: { page?: number; page_size?: number; };
    body: never;
    response: Paged_SessionPublic_;
  };
  "POST /sessions": {
    path: {};
    query: {};
    body: SessionCreate;
    response: Envelope_SessionPublic_;
  };
  "GET /sessions/continue-stream/{session_id}": {
    path: { session_id: string; };
    query: {};
    body: never;
    response: unknown;
  };
  "GET /sessions/{session_id}": {
    path: { session_id: string; };
    query: {};
    body: never;
    response: Envelope_SessionPublic_;
  };
  "PUT /sessions/{session_id}": {
    path: { session_id: string; };
    query: {};
    body: SessionSettingsUpdate;
    response: Envelope_SessionPublic_;
  };
  "DELETE /sessions/{session_id}": {
    path: { session_id: string; };
    query: {};
    body: never;
    response: Envelope_NoneType_;
  };
  "POST /sessions/{session_id}/stop": {
    path: { session_id: string; };
    query: {};
    body: never;
    response: Envelope_dict_str__bool__;
  };
  "POST /knowledge-chat/{session_id}": {
    path: { session_id: string; };
    query: {};
    body: ChatQuery;
    response: ReadableStream<Uint8Array>;
  };
  "POST /knowledge-search": {
    path: {};
    query: {};
    body: KnowledgeSearchRequest;
    response: Envelope_list_SearchResult__;
  };
  "GET /messages/{session_id}/load": {
    path: { session_id: string; };
    query: { before_time?: string | null; limit?: number; };
    body: never;
    response: Envelope_list_MessagePublic__;
  };
  "GET /messages/{session_id}/{message_id}/model-input": {
    path: { session_id: string; message_id: string; };
    query: {};
    body: never;
    response: Envelope_ModelInputPublic_;
  };
  "DELETE /messages/{session_id}/{message_id}": {
    path: { session_id: string; message_id: string; };
    query: {};
    body: never;
    response: Envelope_NoneType_;
  };
  "GET /models": {
    path: {};
    query: {};
    body: never;
    response: Envelope_list_ModelPublic__;
  };
  "POST /models": {
    path: {};
    query: {};
    body: ModelCreate;
    response: Envelope_ModelPublic_;
  };
  "GET /models/{model_id}": {
    path: { model_id: string; };
    query: {};
    body: never;
    response: Envelope_ModelPublic_;
  };
  "PUT /models/{model_id}": {
    path: { model_id: string; };
    query: {};
    body: ModelUpdate;
    response: Envelope_ModelPublic_;
  };
  "DELETE /models/{model_id}": {
    path: { model_id: string; };
    query: {};
    body: never;
    response: Envelope_NoneType_;
  };
  "POST /models/{model_id}/test": {
    path: { model_id: string; };
    query: {};
    body: never;
    response: Envelope_dict_str__Any__;
  };
  "GET /ingest/lag": {
    path: {};
    query: {};
    body: never;
    response: Envelope_dict_str__Any__;
  };
  "GET /ingest/stream": {
    path: {};
    query: { window_s?: number; buckets?: number; };
    body: never;
    response: Envelope_dict_str__Any__;
  };
  "GET /audit": {
    path: {};
    query: { entity_type?: string | null; entity_id?: string | null; knowledge_base_id?: string | null; document_id?: string | null; actor?: string | null; since?: string | null; page?: number; page_size?: number; };
    body: never;
    response: Paged_AuditEventPublic_;
  };
  "GET /webhooks/event-types": {
    path: {};
    query: {};
    body: never;
    response: Envelope_list_EventTypePublic__;
  };
  "GET /webhooks": {
    path: {};
    query: {};
    body: never;
    response: Envelope_list_EndpointPublic__;
  };
  "POST /webhooks": {
    path: {};
    query: {};
    body: EndpointCreate;
    response: Envelope_EndpointCreated_;
  };
  "GET /webhooks/{endpoint_id}": {
    path: { endpoint_id: string; };
    query: {};
    body: never;
    response: Envelope_EndpointPublic_;
  };
  "PUT /webhooks/{endpoint_id}": {
    path: { endpoint_id: string; };
    query: {};
    body: EndpointUpdate;
    response: Envelope_EndpointPublic_;
  };
  "DELETE /webhooks/{endpoint_id}": {
    path: { endpoint_id: string; };
    query: {};
    body: never;
    response: Envelope_NoneType_;
  };
  "POST /webhooks/{endpoint_id}/rotate-secret": {
    path: { endpoint_id: string; };
    query: {};
    body: never;
    response: Envelope_EndpointCreated_;
  };
  "GET /webhooks/{endpoint_id}/deliveries": {
    path: { endpoint_id: string; };
    query: { status?: string | null; since?: string | null; until?: string | null; page?: number; page_size?: number; };
    body: never;
    response: Paged_DeliveryPublic_;
  };
  "POST /webhooks/{endpoint_id}/deliveries/{delivery_id}/replay": {
    path: { endpoint_id: string; delivery_id: string; };
    query: {};
    body: never;
    response: Envelope_ReplayResult_;
  };
  "POST /webhooks/{endpoint_id}/replay": {
    path: { endpoint_id: string; };
    query: {};
    body: ReplayRange;
    response: Envelope_ReplayResult_;
  };
  "GET /knowledge-bases/{knowledge_base_id}/access": {
    path: { knowledge_base_id: string; };
    query: {};
    body: never;
    response: Envelope_KnowledgeBaseAccess_;
  };
  "PUT /knowledge-bases/{knowledge_base_id}/access": {
    path: { knowledge_base_id: string; };
    query: {};
    body: AccessListUpdate;
    response: Envelope_KnowledgeBaseAccess_;
  };
  "GET /knowledge/{knowledge_id}/access": {
    path: { knowledge_id: string; };
    query: {};
    body: never;
    response: Envelope_DocumentAccess_;
  };
  "PUT /knowledge/{knowledge_id}/access": {
    path: { knowledge_id: string; };
    query: {};
    body: AccessListUpdate;
    response: Envelope_DocumentAccess_;
  };
  "GET /usage": {
    path: {};
    query: { period?: string | null; };
    body: never;
    response: Envelope_UsagePublic_;
  };
  "GET /plans": {
    path: {};
    query: {};
    body: never;
    response: Envelope_list_PlanPublic__;
  };
  "GET /admin/usage": {
    path: {};
    query: { period?: string | null; };
    body: never;
    response: Envelope_list_TenantUsagePublic__;
  };
  "PUT /admin/tenants/{tenant_id}/plan": {
    path: { tenant_id: string; };
    query: {};
    body: PlanChange;
    response: Envelope_NoneType_;
  };
  "POST /auth/sign-in": {
    path: {};
    query: {};
    body: SignInRequest;
    response: Envelope_Me_;
  };
  "POST /auth/invitations/accept": {
    path: {};
    query: {};
    body: InvitationAccept;
    response: Envelope_Me_;
  };
  "GET /auth/session": {
    path: {};
    query: {};
    body: never;
    response: Envelope_Union_Me__NoneType__;
  };
  "GET /auth/me": {
    path: {};
    query: {};
    body: never;
    response: Envelope_Me_;
  };
  "POST /auth/sign-out": {
    path: {};
    query: {};
    body: never;
    response: Envelope_NoneType_;
  };
  "POST /auth/sign-out-everywhere": {
    path: {};
    query: {};
    body: never;
    response: Envelope_dict_str__int__;
  };
  "POST /auth/password": {
    path: {};
    query: {};
    body: PasswordChange;
    response: Envelope_Me_;
  };
  "GET /users": {
    path: {};
    query: {};
    body: never;
    response: Envelope_list_UserPublic__;
  };
  "GET /users/seats": {
    path: {};
    query: {};
    body: never;
    response: Envelope_SeatsPublic_;
  };
  "PATCH /users/{user_id}": {
    path: { user_id: string; };
    query: {};
    body: UserUpdate;
    response: Envelope_UserPublic_;
  };
  "DELETE /users/{user_id}": {
    path: { user_id: string; };
    query: {};
    body: never;
    response: Envelope_NoneType_;
  };
  "POST /users/service-accounts": {
    path: {};
    query: {};
    body: ServiceAccountCreate;
    response: Envelope_UserPublic_;
  };
  "GET /invitations": {
    path: {};
    query: {};
    body: never;
    response: Envelope_list_InvitationPublic__;
  };
  "POST /invitations": {
    path: {};
    query: {};
    body: InvitationCreate;
    response: Envelope_InvitationCreated_;
  };
  "DELETE /invitations/{invitation_id}": {
    path: { invitation_id: string; };
    query: {};
    body: never;
    response: Envelope_NoneType_;
  };
  "GET /groups": {
    path: {};
    query: {};
    body: never;
    response: Envelope_list_GroupPublic__;
  };
  "POST /groups": {
    path: {};
    query: {};
    body: GroupCreate;
    response: Envelope_GroupPublic_;
  };
  "PATCH /groups/{group_id}": {
    path: { group_id: string; };
    query: {};
    body: GroupUpdate;
    response: Envelope_GroupPublic_;
  };
  "DELETE /groups/{group_id}": {
    path: { group_id: string; };
    query: {};
    body: never;
    response: Envelope_NoneType_;
  };
  "PUT /groups/{group_id}/members/{user_id}": {
    path: { group_id: string; user_id: string; };
    query: {};
    body: never;
    response: Envelope_GroupPublic_;
  };
  "DELETE /groups/{group_id}/members/{user_id}": {
    path: { group_id: string; user_id: string; };
    query: {};
    body: never;
    response: Envelope_GroupPublic_;
  };
  "GET /api-keys": {
    path: {};
    query: {};
    body: never;
    response: Envelope_list_ApiKeyPublic__;
  };
  "POST /api-keys": {
    path: {};
    query: {};
    body: ApiKeyCreate;
    response: Envelope_ApiKeyCreated_;
  };
  "POST /api-keys/{key_id}/rotate": {
    path: { key_id: string; };
    query: {};
    body: never;
    response: Envelope_ApiKeyCreated_;
  };
  "POST /api-keys/{key_id}/revoke": {
    path: { key_id: string; };
    query: {};
    body: never;
    response: Envelope_ApiKeyPublic_;
  };
  "GET /tenant/sso": {
    path: {};
    query: {};
    body: never;
    response: Envelope_SsoSettingsPublic_;
  };
  "PUT /tenant/sso": {
    path: {};
    query: {};
    body: SsoSettingsUpdate;
    response: Envelope_SsoSettingsPublic_;
  };
  "GET /auth/sso/start": {
    path: {};
    query: { tenant: string; };
    body: never;
    response: unknown;
  };
  "GET /auth/sso/callback": {
    path: {};
    query: { state?: string; code?: string; error?: string; };
    body: never;
    response: unknown;
  };
  "POST /ml/feedback": {
    path: {};
    query: {};
    body: FeedbackCreate;
    response: Envelope_FeedbackPublic_;
  };
  "POST /ml/training-data": {
    path: {};
    query: {};
    body: FormData;
    response: Envelope_dict_str__int__;
  };
  "GET /ml/training-jobs": {
    path: {};
    query: {};
    body: never;
    response: Envelope_list_JobPublic__;
  };
  "POST /ml/training-jobs": {
    path: {};
    query: {};
    body: JobCreate | null;
    response: Envelope_JobPublic_;
  };
  "GET /ml/training-jobs/{job_id}": {
    path: { job_id: string; };
    query: {};
    body: never;
    response: Envelope_JobPublic_;
  };
  "POST /ml/training-jobs/{job_id}/cancel": {
    path: { job_id: string; };
    query: {};
    body: never;
    response: Envelope_JobPublic_;
  };
  "GET /ml/models": {
    path: {};
    query: {};
    body: never;
    response: Envelope_ModelsPublic_;
  };
  "POST /ml/models/promote": {
    path: {};
    query: {};
    body: never;
    response: Envelope_ModelsPublic_;
  };
  "POST /ml/models/{version_id}/challenger": {
    path: { version_id: string; };
    query: {};
    body: never;
    response: Envelope_ModelsPublic_;
  };
  "POST /ml/models/rollback": {
    path: {};
    query: {};
    body: RollbackBody;
    response: Envelope_ModelsPublic_;
  };
  "POST /ml/taggers/{knowledge_base_id}/promote": {
    path: { knowledge_base_id: string; };
    query: {};
    body: never;
    response: Envelope_ModelsPublic_;
  };
  "POST /ml/taggers/{knowledge_base_id}/rollback": {
    path: { knowledge_base_id: string; };
    query: {};
    body: never;
    response: Envelope_ModelsPublic_;
  };
}

/** The concrete paths each method accepts (a `${string}` stands for one path parameter). */
export interface ApiRoutes {
  DELETE:
    | `/chunks/${string}/${string}`
    | `/chunks/${string}`
    | `/groups/${string}/members/${string}`
    | `/groups/${string}`
    | `/invitations/${string}`
    | `/knowledge-bases/${string}`
    | `/knowledge/${string}`
    | `/messages/${string}/${string}`
    | `/models/${string}`
    | `/sessions/${string}`
    | `/tenants/${string}`
    | `/users/${string}`
    | `/webhooks/${string}`;
  GET:
    | `/admin/usage`
    | `/api-keys`
    | `/audit`
    | `/auth/me`
    | `/auth/session`
    | `/auth/sso/callback`
    | `/auth/sso/start`
    | `/chunks/${string}`
    | `/groups`
    | `/ingest/lag`
    | `/ingest/stream`
    | `/invitations`
    | `/knowledge-bases/${string}/access`
    | `/knowledge-bases/${string}/field-schema`
    | `/knowledge-bases/${string}/hybrid-search`
    | `/knowledge-bases/${string}/knowledge`
    | `/knowledge-bases/${string}/review-counts`
    | `/knowledge-bases/${string}`
    | `/knowledge-bases`
    | `/knowledge/${string}/access`
    | `/knowledge/${string}/download`
    | `/knowledge/${string}/fields`
    | `/knowledge/${string}/pages/${string}.png`
    | `/knowledge/${string}`
    | `/knowledge/batch`
    | `/messages/${string}/${string}/model-input`
    | `/messages/${string}/load`
    | `/ml/models`
    | `/ml/training-jobs/${string}`
    | `/ml/training-jobs`
    | `/models/${string}`
    | `/models`
    | `/plans`
    | `/review-queue`
    | `/sessions/${string}`
    | `/sessions/continue-stream/${string}`
    | `/sessions`
    | `/tenant/sso`
    | `/tenants/${string}`
    | `/tenants`
    | `/usage`
    | `/users/seats`
    | `/users`
    | `/webhooks/${string}/deliveries`
    | `/webhooks/${string}`
    | `/webhooks/event-types`
    | `/webhooks`;
  PATCH:
    | `/groups/${string}`
    | `/users/${string}`;
  POST:
    | `/api-keys/${string}/revoke`
    | `/api-keys/${string}/rotate`
    | `/api-keys`
    | `/auth/invitations/accept`
    | `/auth/password`
    | `/auth/sign-in`
    | `/auth/sign-out-everywhere`
    | `/auth/sign-out`
    | `/groups`
    | `/invitations`
    | `/knowledge-bases/${string}/field-schema/preview`
    | `/knowledge-bases/${string}/hybrid-search`
    | `/knowledge-bases/${string}/knowledge/file`
    | `/knowledge-bases/${string}/knowledge/manual`
    | `/knowledge-bases/${string}/knowledge/url`
    | `/knowledge-bases`
    | `/knowledge-chat/${string}`
    | `/knowledge-search`
    | `/knowledge/${string}/reprocess`
    | `/knowledge/${string}/review`
    | `/knowledge/from-answer`
    | `/ml/feedback`
    | `/ml/models/${string}/challenger`
    | `/ml/models/promote`
    | `/ml/models/rollback`
    | `/ml/taggers/${string}/promote`
    | `/ml/taggers/${string}/rollback`
    | `/ml/training-data`
    | `/ml/training-jobs/${string}/cancel`
    | `/ml/training-jobs`
    | `/models/${string}/test`
    | `/models`
    | `/sessions/${string}/stop`
    | `/sessions`
    | `/tenants/${string}/api-key/revoke`
    | `/tenants/${string}/api-key/rotate`
    | `/tenants`
    | `/users/service-accounts`
    | `/webhooks/${string}/deliveries/${string}/replay`
    | `/webhooks/${string}/replay`
    | `/webhooks/${string}/rotate-secret`
    | `/webhooks`;
  PUT:
    | `/admin/tenants/${string}/plan`
    | `/chunks/${string}/${string}`
    | `/groups/${string}/members/${string}`
    | `/knowledge-bases/${string}/access`
    | `/knowledge-bases/${string}/field-schema`
    | `/knowledge-bases/${string}`
    | `/knowledge/${string}/access`
    | `/knowledge/${string}`
    | `/knowledge/manual/${string}`
    | `/models/${string}`
    | `/sessions/${string}`
    | `/tenant/sso`
    | `/tenants/${string}`
    | `/webhooks/${string}`;
}

export type ApiMethod = keyof ApiRoutes;
