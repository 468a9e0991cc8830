// Wire types of the jisik gateway (/api/v1, WeKnora-compatible). Field names match the gateway's JSON.

export type ParseStatus =
  | "draft"
  | "pending"
  | "parsing"
  | "validating"
  | "embedding"
  | "indexing"
  | "completed"
  | "failed";

export interface ChunkingConfig {
  chunk_size: number;
  chunk_overlap: number;
  separators: string[];
}

export interface KnowledgeBase {
  id: string;
  name: string;
  description: string;
  chunking_config: ChunkingConfig;
  image_processing_config?: { enable_multimodal?: boolean; model_id?: string };
  embedding_model_id: string;
  summary_model_id: string;
  rerank_model_id: string;
  vlm_model_id: string;
  /** Days a document is kept before the retention purge erases it; null: the tenant's setting. */
  retention_days?: number | null;
  created_at: string;
  updated_at: string;
}

export type KnowledgeBaseInput = Pick<
  KnowledgeBase,
  "name" | "description" | "chunking_config" | "embedding_model_id" | "summary_model_id" | "rerank_model_id" | "vlm_model_id" | "retention_days"
>;

export interface Knowledge {
  id: string;
  knowledge_base_id: string;
  type: "file" | "url" | "manual";
  title: string;
  description: string;
  file_name: string;
  file_type: string;
  file_size: number;
  parse_status: ParseStatus;
  error_message: string;
  page_count: number;
  chunk_count: number;
  version: number;
  enable_status: string;
  /** Editor documents: `content` is the latest edit, `published_content` the text that is indexed. */
  metadata?: Record<string, unknown> & { content?: string; published_content?: string };
  created_at: string;
  updated_at: string;
  processed_at?: string | null;
}

export interface ImageInfo {
  url?: string;
  original_url?: string;
  caption?: string;
  ocr_text?: string;
  start?: number;
  end?: number;
}

export interface Chunk {
  id: string;
  knowledge_id: string;
  content: string;
  chunk_index: number;
  start_at: number;
  end_at: number;
  pages: number[];
  chunk_type: string;
  image_info: ImageInfo[] | string | null;
}

export interface Paged<T> {
  items: T[];
  total: number;
}

export interface ChatSession {
  id: string;
  title: string;
  description: string;
  knowledge_base_ids: string[];
  created_at: string;
  updated_at: string;
}

export interface StageTiming {
  name: string;
  ms: number;
  skipped?: string;
}

export interface Reference {
  id: string;
  content: string;
  knowledge_id: string;
  knowledge_title: string;
  chunk_index: number;
  start_at: number;
  end_at: number;
  seq: number;
  score: number;
  match_type: number | string;
  chunk_type?: string;
  knowledge_filename?: string;
  metadata?: { pages?: number[] } & Record<string, unknown>;
  /** The chunks merged into this passage (the first is the passage's own id). */
  sub_chunk_id?: string[];
  /** On stored answers: sentences that cite this passage but are not supported by it. */
  unsupported_sentences?: string[];
}

/** A sentence of the answer whose citation [number] its passage does not support. */
export interface UnsupportedCitation {
  number: number;
  sentence: string;
}

export interface Message {
  id: string;
  session_id: string;
  request_id: string;
  role: "user" | "assistant";
  content: string;
  knowledge_references: Reference[];
  stage_timings: StageTiming[];
  is_completed: boolean;
  status?: string;
  created_at: string;
}

/** One `event: message` of the chat SSE stream. */
export interface StreamEvent {
  id: string;
  response_type: "references" | "answer" | "thinking" | "error" | "session_title" | "stage_timings" | string;
  content: string;
  done: boolean;
  knowledge_references?: Reference[];
  stage_timings?: StageTiming[];
  session_id?: string;
  assistant_message_id?: string;
  /** On the final event: how the answer ended. */
  status?: "complete" | "interrupted" | "failed";
  /** On the final event: the reference numbers the answer actually cites. */
  cited?: number[];
  /** On the final event: cited sentences their passage does not support. */
  unsupported_citations?: UnsupportedCitation[];
  stop_reason?: string;
  code?: string;
}

export interface RegisteredModel {
  id: string;
  name: string;
  type: "Embedding" | "Rerank" | "KnowledgeQA" | "VLLM";
  source: "local" | "remote";
  description: string;
  parameters: { base_url?: string; interface_type?: string; embedding_parameters?: { dimension?: number } } & Record<string, unknown>;
  has_api_key: boolean;
  is_default: boolean;
  status: string;
}

export interface ModelInput {
  name: string;
  type: RegisteredModel["type"];
  source: RegisteredModel["source"];
  parameters: { base_url: string; interface_type: "openai" | "ollama"; embedding_parameters?: { dimension: number } };
  api_key?: string;
}

export type PiiPolicy = "off" | "remote" | "always";
export const PII_TYPES = [
  "RRN", "FRN", "BRN", "CORP", "PHONE", "EMAIL", "CARD", "ACCOUNT", "PASSPORT", "DRIVER", "ADDRESS", "NAME", "IBAN",
] as const;
export type PiiType = (typeof PII_TYPES)[number];

export interface Tenant {
  id: string;
  name: string;
  api_key_prefix: string;
  /** null: the server's setting (remote models only, unless the operator changed it). */
  pii_policy: PiiPolicy | null;
  /** Empty: every type. */
  pii_types: PiiType[];
  training_consent: boolean;
  /** Days a document is kept before the retention purge erases it; null: until deleted. */
  retention_days: number | null;
}

export type PrivacyUpdate = Partial<Pick<Tenant, "pii_policy" | "pii_types" | "training_consent" | "retention_days">>;

export type { ErasureReceiptPublic as ErasureReceipt, ModelInputPublic as ModelPrompt } from "./openapi";

/** Returned once by a key rotation: the only time the new key is visible. */
export interface RotatedTenant extends Tenant {
  api_key: string;
}

export interface ModelTestResult {
  ok: boolean;
  message?: string;
}

export type LagStatus = "OK" | "WARN" | "STALL" | "STOP";

export interface ConsumerGroupLag {
  group: string;
  status: LagStatus;
  lag_records: number;
  lag_seconds: number;
  partitions: { partition: number; lag_records: number; lag_seconds: number; status: LagStatus }[];
}

export interface StreamStats {
  throughput: { start: string; completed: number; failed: number }[];
  top_failures: { reason: string; documents: number }[];
}

export interface IngestLag {
  [stage: string]: number | Record<string, ConsumerGroupLag>;
}

// Field extraction and review -----------------------------------------------------------------
export type FieldType =
  | "text" | "number" | "amount" | "date" | "brn" | "rrn" | "frn" | "corp_no" | "phone" | "email" | "card"
  | "account" | "enum" | "regex";

export interface FieldSpec {
  name: string;
  label: string;
  type: FieldType;
  aliases: string[];
  required: boolean;
  pattern?: string;
  values?: string[];
}

export interface FieldSchema {
  version?: number;
  fields: FieldSpec[];
  rules: Record<string, unknown>[];
  duplicate_key: string[];
  review_threshold: number;
}

export interface FieldCheck {
  rule: string;
  ok: boolean;
  message: string;
}

export interface FieldValue {
  name: string;
  value: string;
  normalized: string;
  confidence: number;
  page: number | null;
  bbox: number[] | null;
  source_text: string;
  note: string;
  reviewed: boolean;
  checks: FieldCheck[];
}

export interface FieldError {
  field: string;
  rule: string;
  message: string;
}

export type FieldStatus = "auto_approved" | "needs_review" | "rejected" | "approved" | "not_extracted";

export interface DocumentFields {
  knowledge_id: string;
  knowledge_base_id: string;
  status: FieldStatus;
  fields: FieldValue[];
  errors: FieldError[];
  duplicate_of: string;
  schema_version: number;
  revision: number;
  reviewed_by: string;
  reviewed_at: string | null;
  page_count: number;
}

export interface FieldPreview {
  status: FieldStatus;
  fields: FieldValue[];
  errors: FieldError[];
}

export interface ReviewQueueItem {
  knowledge_id: string;
  knowledge_base_id: string;
  title: string;
  status: FieldStatus;
  error_count: number;
  lowest_confidence: number | null;
  updated_at: string;
}

// Usage and plans ------------------------------------------------------------------------------
export interface Plan {
  id: string;
  name: string;
  currency: string;
  monthly_limits: Record<string, number>;
  unit_prices: Record<string, string>;
}

export interface MetricUsage {
  metric: string;
  used: number;
  limit: number | null;
  percent: number | null;
  projected: number;
  cost: string;
  projected_cost: string;
  by_subject: Record<string, number>;
}

export interface UsageThreshold {
  metric: string;
  level: number;
  used: number;
  limit: number;
  crossed_at: string;
}

export interface Usage {
  period: string;
  period_start: string;
  period_end: string;
  plan: Plan;
  metrics: MetricUsage[];
  daily: Array<Record<string, number | string> & { date: string }>;
  thresholds: UsageThreshold[];
  cost: string;
  projected_cost: string;
}
