// The one typed client for the gateway's public REST + SSE API. Every call the app makes lives here.
import type {
  ApiMethod,
  ApiRoutes,
  AuditEventPublic,
  DeliveryPublic,
  DocumentAccess,
  EndpointCreate,
  EndpointCreated,
  EndpointPublic,
  EndpointUpdate,
  EventTypePublic,
  FeedbackCreate,
  FeedbackPublic,
  JobPublic,
  JobCreate,
  ModelsPublic,
  KnowledgeBaseAccess,
  ReplayResult,
  ApiKeyCreated,
  ApiKeyPublic,
  GroupPublic,
  InvitationCreated,
  InvitationPublic,
  Me,
  SeatsPublic,
  UserPublic,
  SsoSettingsPublic,
  SsoSettingsUpdate,
} from "./openapi";
import { SseParser } from "./sse";
import type {
  ChatSession,
  Chunk,
  DocumentFields,
  ErasureReceipt,
  FieldPreview,
  FieldSchema,
  FieldStatus,
  ReviewQueueItem,
  IngestLag,
  StreamStats,
  Knowledge,
  KnowledgeBase,
  KnowledgeBaseInput,
  Message,
  ModelInput,
  ModelPrompt,
  ModelTestResult,
  Paged,
  RegisteredModel,
  PrivacyUpdate,
  RotatedTenant,
  StreamEvent,
  Tenant,
  Usage,
} from "./types";

export const API_PREFIX = "/api/v1";

/** A path the gateway serves for method `M`, optionally with a query string. The paths come from the
 * gateway's OpenAPI document (./openapi.ts), so a call to a route that is gone fails the build. */
export type Route<M extends ApiMethod> = ApiRoutes[M] | `${ApiRoutes[M]}?${string}`;

/** Checks `path` against the routes of `method` at compile time; returns it unchanged. */
function route<M extends ApiMethod>(_method: M, path: Route<M>): string {
  return path;
}

export interface AuditFilter {
  entity_type?: string;
  entity_id?: string;
  knowledge_base_id?: string;
  document_id?: string;
  actor?: string;
  since?: string;
  page?: number;
  page_size?: number;
}

/** A failed API call: HTTP status plus the gateway's error code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The SSE connection ended before the final `done` event. */
export class StreamInterrupted extends Error {
  constructor(readonly cause: unknown) {
    super("stream interrupted");
    this.name = "StreamInterrupted";
  }
}

type Envelope<T> = { success?: boolean; data?: T; total?: number; error?: unknown; message?: string; detail?: unknown };

function errorFrom(status: number, body: Envelope<unknown> | null, fallback: string): ApiError {
  const err = body?.error as { code?: string; message?: string } | string | undefined;
  if (err && typeof err === "object") return new ApiError(status, err.code ?? String(status), err.message ?? fallback);
  if (typeof err === "string") return new ApiError(status, String(status), err);
  const detail = body?.detail;
  if (typeof detail === "string") return new ApiError(status, String(status), detail);
  if (body?.message) return new ApiError(status, String(status), body.message);
  return new ApiError(status, String(status), fallback);
}

async function readJson(response: Response): Promise<Envelope<unknown> | null> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text) as Envelope<unknown>;
  } catch {
    return { message: text.slice(0, 300) };
  }
}

export interface UploadProgress {
  loaded: number;
  total: number;
}

export interface ChatStreamHandlers {
  onEvent: (event: StreamEvent) => void;
}

export class ApiClient {
  /** `onUnauthorized` runs when the gateway rejects the key or the session, so the app can ask again.
   * Without a key the browser's session cookie authenticates; `getCsrf` gives its CSRF token for writes. */
  constructor(
    private readonly getKey: () => string,
    private readonly base = "",
    private readonly onUnauthorized?: () => void,
    private readonly getCsrf: () => string = () => "",
  ) {}

  /** The credential headers: the API key, or (signed in with a password) the session's CSRF token. */
  private credentials(): Record<string, string> {
    const key = this.getKey();
    if (key) return { "X-API-Key": key };
    const csrf = this.getCsrf();
    return csrf ? { "X-CSRF-Token": csrf } : {};
  }

  private fail(status: number, body: Envelope<unknown> | null, fallback: string): ApiError {
    if (status === 401) this.onUnauthorized?.();
    return errorFrom(status, body, fallback);
  }

  private headers(extra?: Record<string, string>): Record<string, string> {
    return { ...this.credentials(), ...extra };
  }

  private async call<T, M extends ApiMethod>(method: M, path: Route<M>, body?: unknown): Promise<Envelope<T>> {
    let response: Response;
    try {
      response = await fetch(this.base + API_PREFIX + path, {
        method,
        headers: this.headers(body === undefined ? undefined : { "Content-Type": "application/json" }),
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (cause) {
      throw new ApiError(0, "network", String(cause));
    }
    const parsed = await readJson(response);
    if (!response.ok || parsed?.success === false) throw this.fail(response.status, parsed, response.statusText);
    return (parsed ?? {}) as Envelope<T>;
  }

  // Prefer get/post/put/del below: with only `T` given, `M` is any method and the path is checked against all
  // routes, not the method's.
  private async data<T, M extends ApiMethod = ApiMethod>(method: M, path: Route<M>, body?: unknown): Promise<T> {
    return (await this.call<T, M>(method, path, body)).data as T;
  }

  // One helper per method, so each path is checked against that method's routes.
  private get = <T>(path: Route<"GET">) => this.data<T, "GET">("GET", path);
  private post = <T>(path: Route<"POST">, body?: unknown) => this.data<T, "POST">("POST", path, body);
  private put = <T>(path: Route<"PUT">, body?: unknown) => this.data<T, "PUT">("PUT", path, body);
  private del = <T>(path: Route<"DELETE">) => this.data<T, "DELETE">("DELETE", path);
  private patch = <T>(path: Route<"PATCH">, body?: unknown) => this.data<T, "PATCH">("PATCH", path, body);

  private async paged<T>(path: Route<"GET">): Promise<Paged<T>> {
    const envelope = await this.call<T[] | { items?: T[]; data?: T[]; total?: number }, "GET">("GET", path);
    const raw = envelope.data;
    if (Array.isArray(raw)) return { items: raw, total: envelope.total ?? raw.length };
    const items = raw?.items ?? raw?.data ?? [];
    return { items, total: raw?.total ?? envelope.total ?? items.length };
  }

  // Ingest ------------------------------------------------------------------------------------
  ingestLag = () => this.get<IngestLag>("/ingest/lag");
  ingestStream = () => this.get<StreamStats>("/ingest/stream");

  // Usage -------------------------------------------------------------------------------------
  usage = (period?: string) => this.get<Usage>(period ? `/usage?period=${enc(period)}` : "/usage");

  // Knowledge bases ---------------------------------------------------------------------------
  listKnowledgeBases = () => this.get<KnowledgeBase[]>("/knowledge-bases");
  getKnowledgeBase = (id: string) => this.get<KnowledgeBase>(`/knowledge-bases/${enc(id)}`);
  createKnowledgeBase = (input: Partial<KnowledgeBaseInput> & { name: string }) =>
    this.post<KnowledgeBase>("/knowledge-bases", input);
  // The embedding model cannot change after creation (the stored vectors depend on it).
  updateKnowledgeBase = (id: string, input: Partial<Omit<KnowledgeBaseInput, "embedding_model_id">>) =>
    this.put<KnowledgeBase>(`/knowledge-bases/${enc(id)}`, input);
  deleteKnowledgeBase = (id: string) => this.del<unknown>(`/knowledge-bases/${enc(id)}`);

  // Documents ---------------------------------------------------------------------------------
  listKnowledge = (kbId: string, page = 1, pageSize = 100) =>
    this.paged<Knowledge>(`/knowledge-bases/${enc(kbId)}/knowledge?page=${page}&page_size=${pageSize}`);
  batchKnowledge = (ids: string[]) =>
    this.get<Knowledge[]>(`/knowledge/batch?${ids.map((id) => `ids=${enc(id)}`).join("&")}`);
  getKnowledge = (id: string) => this.get<Knowledge>(`/knowledge/${enc(id)}`);
  deleteKnowledge = (id: string) => this.del<unknown>(`/knowledge/${enc(id)}`);
  /** Erase at once, with everything made from it; the receipt counts what went. */
  eraseKnowledge = (id: string) => this.del<ErasureReceipt>(`/knowledge/${enc(id)}?erase=true`);
  reprocessKnowledge = (id: string) => this.post<Knowledge>(`/knowledge/${enc(id)}/reprocess`);
  listChunks = (knowledgeId: string, page = 1, pageSize = 100) =>
    this.paged<Chunk>(`/chunks/${enc(knowledgeId)}?page=${page}&page_size=${pageSize}`);

  /** Every chunk of a document in order, page by page (capped so a huge document cannot hang the tab). */
  async listAllChunks(knowledgeId: string, cap = 5000): Promise<Chunk[]> {
    const all: Chunk[] = [];
    for (let page = 1; all.length < cap; page += 1) {
      const batch = await this.listChunks(knowledgeId, page);
      all.push(...batch.items);
      if (batch.items.length === 0 || all.length >= batch.total) break;
    }
    return all.sort((a, b) => a.chunk_index - b.chunk_index);
  }
  /** A PDF page as a PNG with the given chunks highlighted (fetched with the key, shown via an object URL);
   * `focused` tells whether the sentences supporting `focus` were found on this page. */
  async pageImage(knowledgeId: string, page: number, chunkIds: string[], focus = ""): Promise<{ blob: Blob; focused: boolean }> {
    const params = chunkIds.map((id) => `chunk_id=${enc(id)}`);
    if (focus) params.push(`focus=${enc(focus.slice(0, 1000))}`);
    const query = params.join("&");
    const url = this.base + API_PREFIX + route("GET", `/knowledge/${enc(knowledgeId)}/pages/${page}.png${query ? `?${query}` : ""}`);
    let response: Response;
    try {
      response = await fetch(url, { headers: this.headers() });
    } catch (cause) {
      throw new ApiError(0, "network", String(cause));
    }
    if (!response.ok) throw this.fail(response.status, await readJson(response), response.statusText);
    return { blob: await response.blob(), focused: response.headers.get("X-Focused") === "1" };
  }
  downloadUrl = (knowledgeId: string) => this.base + API_PREFIX + route("GET", `/knowledge/${enc(knowledgeId)}/download`);

  /** Multipart upload with byte progress (fetch cannot report upload progress, XHR can). */
  uploadFile(kbId: string, file: File, onProgress?: (p: UploadProgress) => void): Promise<Knowledge> {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", this.base + API_PREFIX + route("POST", `/knowledge-bases/${enc(kbId)}/knowledge/file`));
      for (const [name, value] of Object.entries(this.credentials())) xhr.setRequestHeader(name, value);
      xhr.upload.onprogress = (e) => onProgress?.({ loaded: e.loaded, total: e.total || file.size });
      xhr.onerror = () => reject(new ApiError(0, "network", "network error"));
      xhr.onload = () => {
        let body: Envelope<Knowledge> | null = null;
        try {
          body = xhr.responseText ? (JSON.parse(xhr.responseText) as Envelope<Knowledge>) : null;
        } catch {
          body = { message: xhr.responseText.slice(0, 300) };
        }
        if (xhr.status >= 200 && xhr.status < 300 && body?.success !== false && body?.data) resolve(body.data);
        else reject(this.fail(xhr.status, body, xhr.statusText || "upload failed"));
      };
      const form = new FormData();
      form.append("file", file, file.name);
      xhr.send(form);
    });
  }

  // Fields and review -------------------------------------------------------------------------
  getFieldSchema = (kbId: string) => this.get<FieldSchema>(`/knowledge-bases/${enc(kbId)}/field-schema`);
  putFieldSchema = (kbId: string, schema: FieldSchema) =>
    this.put<FieldSchema>(`/knowledge-bases/${enc(kbId)}/field-schema`, schema);
  previewFieldSchema = (kbId: string, knowledgeId: string, schema: FieldSchema) =>
    this.post<FieldPreview>(`/knowledge-bases/${enc(kbId)}/field-schema/preview`, {
      knowledge_id: knowledgeId,
      schema,
    });
  getDocumentFields = (knowledgeId: string) => this.get<DocumentFields>(`/knowledge/${enc(knowledgeId)}/fields`);
  reviewCounts = (kbId: string) => this.get<Record<FieldStatus, number>>(`/knowledge-bases/${enc(kbId)}/review-counts`);
  reviewQueue = (status: FieldStatus, kbId = "", page = 1) =>
    this.paged<ReviewQueueItem>(
      `/review-queue?status=${enc(status)}&page=${page}&page_size=50${kbId ? `&knowledge_base_id=${enc(kbId)}` : ""}`,
    );
  review = (
    knowledgeId: string,
    input: { decision: "approve" | "reject"; corrections: Record<string, string>; comment: string; revision: number },
  ) => this.post<DocumentFields>(`/knowledge/${enc(knowledgeId)}/review`, input);

  // Manual Markdown knowledge -----------------------------------------------------------------
  createManual = (kbId: string, input: { title: string; content: string; status: "draft" | "publish" }) =>
    this.post<Knowledge>(`/knowledge-bases/${enc(kbId)}/knowledge/manual`, input);
  updateManual = (id: string, input: { title: string; content: string; status: "draft" | "publish" }) =>
    this.put<Knowledge>(`/knowledge/manual/${enc(id)}`, input);

  // Sessions and chat -------------------------------------------------------------------------
  listSessions = () => this.paged<ChatSession>("/sessions?page=1&page_size=100");
  createSession = (input: { title?: string; knowledge_base_ids: string[] }) =>
    this.post<ChatSession>("/sessions", input);
  updateSession = (id: string, input: Partial<Pick<ChatSession, "title" | "knowledge_base_ids">>) =>
    this.put<ChatSession>(`/sessions/${enc(id)}`, input);
  deleteSession = (id: string) => this.del<unknown>(`/sessions/${enc(id)}`);
  loadMessages = (sessionId: string, limit = 50) =>
    this.get<Message[]>(`/messages/${enc(sessionId)}/load?limit=${limit}`);
  /** What the model saw for one answer (placeholders where the PII mask applied). */
  modelPrompt = (sessionId: string, messageId: string) =>
    this.get<ModelPrompt>(`/messages/${enc(sessionId)}/${enc(messageId)}/model-input`);
  stopSession = (sessionId: string) => this.post<unknown>(`/sessions/${enc(sessionId)}/stop`);

  /** POST a question and feed each SSE event to the handler until `done`. */
  chat(sessionId: string, query: string, handlers: ChatStreamHandlers, signal?: AbortSignal): Promise<void> {
    return this.stream("POST", `/knowledge-chat/${enc(sessionId)}`, { query }, handlers, signal);
  }

  /** Re-attach to an answer still being generated (after a reload or a dropped connection). */
  continueStream(sessionId: string, handlers: ChatStreamHandlers, signal?: AbortSignal): Promise<void> {
    return this.stream("GET", `/sessions/continue-stream/${enc(sessionId)}`, undefined, handlers, signal);
  }

  private async stream<M extends "GET" | "POST">(
    method: M,
    path: Route<M>,
    body: unknown,
    handlers: ChatStreamHandlers,
    signal?: AbortSignal,
  ): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.base + API_PREFIX + path, {
        method,
        headers: this.headers({
          Accept: "text/event-stream",
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        }),
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (cause) {
      if (signal?.aborted) return;
      throw new StreamInterrupted(cause);
    }
    if (!response.ok || !response.body) throw this.fail(response.status, await readJson(response), response.statusText);
    await consumeStream(response.body, handlers, signal);
  }

  // Audit trail --------------------------------------------------------------------------------
  /** Who changed what, newest first (``entity_type``/``entity_id`` narrow it to one document, base or tenant). */
  listAudit = (filter: AuditFilter = {}) => {
    const params = Object.entries(filter)
      .filter(([, value]) => value !== undefined && value !== "")
      .map(([name, value]) => `${name}=${enc(String(value))}`);
    return this.paged<AuditEventPublic>(params.length ? `/audit?${params.join("&")}` : "/audit");
  };

  // Own models (training, registry, rollout) --------------------------------------------------
  /** Thumbs up or down on an answer (citation 0) or on its citation [n]; the latest rating counts. */
  rate = (input: FeedbackCreate) => this.post<FeedbackPublic>("/ml/feedback", input);
  models = () => this.get<ModelsPublic>("/ml/models");
  trainingJobs = () => this.get<JobPublic[]>("/ml/training-jobs");
  /** Retrieval models by default; ``{kind: "field_tagger", knowledge_base_id}`` trains a knowledge base's field tagger. */
  startTraining = (input?: JobCreate) => this.post<JobPublic>("/ml/training-jobs", input);
  cancelTraining = (id: string) => this.post<JobPublic>(`/ml/training-jobs/${enc(id)}/cancel`);
  /** Steps the challenger's canary (10% -> 50% -> champion). */
  promoteModel = () => this.post<ModelsPublic>("/ml/models/promote");
  /** Makes a fine-tuned bi-encoder the challenger; its re-embed job runs before promote is allowed. */
  serveModel = (versionId: string) => this.post<ModelsPublic>(`/ml/models/${enc(versionId)}/challenger`);
  rollbackModel = (reason: string) => this.post<ModelsPublic>("/ml/models/rollback", { reason });
  /** Makes the knowledge base's challenger tagger its champion. */
  promoteTagger = (knowledgeBaseId: string) => this.post<ModelsPublic>(`/ml/taggers/${enc(knowledgeBaseId)}/promote`);
  rollbackTagger = (knowledgeBaseId: string) => this.post<ModelsPublic>(`/ml/taggers/${enc(knowledgeBaseId)}/rollback`);

  // Webhooks ----------------------------------------------------------------------------------
  listWebhooks = () => this.get<EndpointPublic[]>("/webhooks");
  webhookEventTypes = () => this.get<EventTypePublic[]>("/webhooks/event-types");
  /** The answer carries the signing secret; the gateway never shows it again. */
  createWebhook = (input: EndpointCreate) => this.post<EndpointCreated>("/webhooks", input);
  updateWebhook = (id: string, patch: EndpointUpdate) => this.put<EndpointPublic>(`/webhooks/${enc(id)}`, patch);
  deleteWebhook = (id: string) => this.del<unknown>(`/webhooks/${enc(id)}`);
  /** A new secret (shown once); the previous one keeps signing for 24 hours. */
  rotateWebhookSecret = (id: string) => this.post<EndpointCreated>(`/webhooks/${enc(id)}/rotate-secret`);
  listDeliveries = (id: string, page = 1, pageSize = 20) =>
    this.paged<DeliveryPublic>(`/webhooks/${enc(id)}/deliveries?page=${page}&page_size=${pageSize}`);
  replayDelivery = (id: string, deliveryId: string) =>
    this.post<ReplayResult>(`/webhooks/${enc(id)}/deliveries/${enc(deliveryId)}/replay`);
  replayRange = (id: string, since: string, until: string, onlyFailed: boolean) =>
    this.post<ReplayResult>(`/webhooks/${enc(id)}/replay`, { since, until, only_failed: onlyFailed });

  // Access lists (user:<id>, group:<name>; empty: the base's list, or everyone) -------------------
  getBaseAccess = (kbId: string) => this.get<KnowledgeBaseAccess>(`/knowledge-bases/${enc(kbId)}/access`);
  setBaseAccess = (kbId: string, principals: string[]) =>
    this.put<KnowledgeBaseAccess>(`/knowledge-bases/${enc(kbId)}/access`, { principals });
  getDocumentAccess = (id: string) => this.get<DocumentAccess>(`/knowledge/${enc(id)}/access`);
  setDocumentAccess = (id: string, principals: string[]) =>
    this.put<DocumentAccess>(`/knowledge/${enc(id)}/access`, { principals });

  // Single sign-on (the tenant's OpenID Connect provider) -----------------------------------------
  getSso = () => this.get<SsoSettingsPublic>("/tenant/sso");
  putSso = (settings: SsoSettingsUpdate) => this.put<SsoSettingsPublic>("/tenant/sso", settings);

  // Models ------------------------------------------------------------------------------------
  listModels = () => this.get<RegisteredModel[]>("/models");
  createModel = (input: ModelInput) => this.post<RegisteredModel>("/models", input);
  deleteModel = (id: string) => this.del<unknown>(`/models/${enc(id)}`);
  testModel = (id: string) => this.post<ModelTestResult>(`/models/${enc(id)}/test`);

  // The tenant's privacy settings ----------------------------------------------------------------
  getTenant = async (): Promise<Tenant> => (await this.get<Tenant[]>("/tenants"))[0];
  updatePrivacy = async (patch: PrivacyUpdate): Promise<Tenant> => {
    const tenant = await this.getTenant();
    return this.put<Tenant>(`/tenants/${enc(tenant.id)}`, patch);
  };

  // The tenant's API key ------------------------------------------------------------------------
  /** Replaces the caller's key; the returned ``api_key`` is shown only this once. */
  rotateKey = async (): Promise<RotatedTenant> => {
    const [tenant] = await this.get<Tenant[]>("/tenants");
    return this.post<RotatedTenant>(`/tenants/${enc(tenant.id)}/api-key/rotate`);
  };
  revokeKey = async (): Promise<void> => {
    const [tenant] = await this.get<Tenant[]>("/tenants");
    await this.post<unknown>(`/tenants/${enc(tenant.id)}/api-key/revoke`);
  };

  // Sign-in and the caller ------------------------------------------------------------------------
  me = () => this.get<Me>("/auth/me");
  /** The browser's password session, or null when it has none (never a 401). */
  session = () => this.get<Me | null>("/auth/session");
  signIn = (email: string, password: string, tenantId?: string) =>
    this.post<Me>("/auth/sign-in", { email, password, ...(tenantId ? { tenant_id: tenantId } : {}) });
  signOut = () => this.post<unknown>("/auth/sign-out");
  signOutEverywhere = () => this.post<{ ended_sessions: number }>("/auth/sign-out-everywhere");
  changePassword = (current: string, next: string) =>
    this.post<Me>("/auth/password", { current_password: current, new_password: next });
  acceptInvitation = (token: string, name: string, password: string) =>
    this.post<Me>("/auth/invitations/accept", { token, name, password });

  // People, invitations, groups and API keys ----------------------------------------------------------
  listUsers = () => this.get<UserPublic[]>("/users");
  seats = () => this.get<SeatsPublic>("/users/seats");
  updateUser = (id: string, change: { role?: string; disabled?: boolean; name?: string }) =>
    this.patch<UserPublic>(`/users/${enc(id)}`, change);
  removeUser = (id: string) => this.del<unknown>(`/users/${enc(id)}`);
  addServiceAccount = (name: string, role: string) => this.post<UserPublic>("/users/service-accounts", { name, role });
  listInvitations = () => this.get<InvitationPublic[]>("/invitations");
  invite = (email: string, role: string) => this.post<InvitationCreated>("/invitations", { email, role });
  withdrawInvitation = (id: string) => this.del<unknown>(`/invitations/${enc(id)}`);
  listGroups = () => this.get<GroupPublic[]>("/groups");
  createGroup = (name: string, description = "") => this.post<GroupPublic>("/groups", { name, description });
  deleteGroup = (id: string) => this.del<unknown>(`/groups/${enc(id)}`);
  addGroupMember = (groupId: string, userId: string) =>
    this.put<GroupPublic>(`/groups/${enc(groupId)}/members/${enc(userId)}`);
  removeGroupMember = (groupId: string, userId: string) =>
    this.del<GroupPublic>(`/groups/${enc(groupId)}/members/${enc(userId)}`);
  listApiKeys = () => this.get<ApiKeyPublic[]>("/api-keys");
  createApiKey = (input: { name: string; scopes: string[]; expires_in_days: number; user_id?: string }) =>
    this.post<ApiKeyCreated>("/api-keys", input);
  rotateApiKey = (id: string) => this.post<ApiKeyCreated>(`/api-keys/${enc(id)}/rotate`);
  revokeApiKey = (id: string) => this.post<ApiKeyPublic>(`/api-keys/${enc(id)}/revoke`);
}

/** Reads an SSE body to its end; throws StreamInterrupted when it ends without `done: true`. */
export async function consumeStream(
  body: ReadableStream<Uint8Array>,
  handlers: ChatStreamHandlers,
  signal?: AbortSignal,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  let finished = false;
  const deliver = (messages: ReturnType<SseParser["push"]>) => {
    for (const message of messages) {
      if (message.event !== "message" || !message.data) continue;
      let event: StreamEvent;
      try {
        event = JSON.parse(message.data) as StreamEvent;
      } catch {
        continue;
      }
      handlers.onEvent(event);
      if (event.done) finished = true;
    }
  };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      deliver(parser.push(decoder.decode(value, { stream: true })));
    }
    deliver(parser.flush());
  } catch (cause) {
    if (signal?.aborted) return;
    throw new StreamInterrupted(cause);
  }
  if (!finished && !signal?.aborted) throw new StreamInterrupted(new Error("stream ended before done"));
}

function enc(value: string): string {
  return encodeURIComponent(value);
}
