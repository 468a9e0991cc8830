// @vitest-environment node
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiClient, ApiError, consumeStream, StreamInterrupted } from "./client";
import type { StreamEvent } from "./types";

function body(...parts: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(encoder.encode(part));
      controller.close();
    },
  });
}

function failingBody(...parts: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < parts.length) controller.enqueue(encoder.encode(parts[i++]));
      else controller.error(new TypeError("network error"));
    },
  });
}

const sse = (event: Partial<StreamEvent>) => `event: message\ndata: ${JSON.stringify(event)}\n\n`;

describe("consumeStream", () => {
  it("delivers references first, then answer deltas, and ends on done", async () => {
    const seen: StreamEvent[] = [];
    await consumeStream(
      body(
        sse({ id: "r1", response_type: "references", content: "", done: false, knowledge_references: [] }),
        sse({ id: "r1", response_type: "answer", content: "안녕", done: false }),
        sse({ id: "r1", response_type: "answer", content: "", done: true }),
      ),
      { onEvent: (e) => seen.push(e) },
    );
    expect(seen.map((e) => e.response_type)).toEqual(["references", "answer", "answer"]);
    expect(seen.at(-1)?.done).toBe(true);
  });

  it("decodes UTF-8 split inside a multi-byte character", async () => {
    const bytes = new TextEncoder().encode(sse({ id: "r", response_type: "answer", content: "지식", done: true }));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 40));
        controller.enqueue(bytes.slice(40));
        controller.close();
      },
    });
    const seen: string[] = [];
    await consumeStream(stream, { onEvent: (e) => seen.push(e.content) });
    expect(seen).toEqual(["지식"]);
  });

  it("raises StreamInterrupted when the body ends before done, after delivering what arrived", async () => {
    const seen: string[] = [];
    const run = consumeStream(body(sse({ id: "r", response_type: "answer", content: "partial", done: false })), {
      onEvent: (e) => seen.push(e.content),
    });
    await expect(run).rejects.toBeInstanceOf(StreamInterrupted);
    expect(seen).toEqual(["partial"]);
  });

  it("raises StreamInterrupted when the connection errors mid-answer", async () => {
    const seen: string[] = [];
    const run = consumeStream(failingBody(sse({ id: "r", response_type: "answer", content: "half", done: false })), {
      onEvent: (e) => seen.push(e.content),
    });
    await expect(run).rejects.toBeInstanceOf(StreamInterrupted);
    expect(seen).toEqual(["half"]);
  });
});

describe("ApiClient", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("sends the API key and unwraps the {success, data} envelope", async () => {
    const fetchMock = vi.fn(async () => new Response(JSON.stringify({ success: true, data: [{ id: "kb1" }] }), { status: 200 }));
    vi.stubGlobal("fetch", fetchMock);
    const kbs = await new ApiClient(() => "sk-test").listKnowledgeBases();
    expect(kbs).toEqual([{ id: "kb1" }]);
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/v1/knowledge-bases");
    expect((init.headers as Record<string, string>)["X-API-Key"]).toBe("sk-test");
  });

  it("turns the gateway's error body into a typed ApiError", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => new Response(JSON.stringify({ success: false, error: { code: "not_found", message: "no such knowledge base" } }), { status: 404 })),
    );
    const error = await new ApiClient(() => "k").getKnowledgeBase("x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 404, code: "not_found", message: "no such knowledge base" });
  });

  it("reads paged lists with their total and encodes ids in paths", async () => {
    const fetchMock = vi.fn(async () => new Response(JSON.stringify({ success: true, data: [{ id: "d" }], total: 7, page: 1, page_size: 100 })));
    vi.stubGlobal("fetch", fetchMock);
    const page = await new ApiClient(() => "k").listKnowledge("a/b");
    expect(page).toEqual({ items: [{ id: "d" }], total: 7 });
    expect((fetchMock.mock.calls[0] as unknown as [string])[0]).toContain("/knowledge-bases/a%2Fb/knowledge");
  });

  it("reads every page of chunks in order", async () => {
    const chunk = (i: number) => ({ id: `c${i}`, chunk_index: i });
    const pages: Record<string, unknown> = {
      "1": { success: true, data: [chunk(1), chunk(0)], total: 3 },
      "2": { success: true, data: [chunk(2)], total: 3 },
    };
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string) => new Response(JSON.stringify(pages[new URL(url, "http://x").searchParams.get("page")!]))),
    );
    const chunks = await new ApiClient(() => "k").listAllChunks("doc");
    expect(chunks.map((c) => c.id)).toEqual(["c0", "c1", "c2"]);
  });
});

describe("ApiClient authentication", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("reports a rejected key so the app can ask for a new one", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => new Response(JSON.stringify({ success: false, error: { code: "unauthenticated", message: "invalid API key" } }), { status: 401 })),
    );
    const onUnauthorized = vi.fn();
    const error = await new ApiClient(() => "sk-old", "", onUnauthorized).listSessions().catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401, code: "unauthenticated" });
    expect(onUnauthorized).toHaveBeenCalledOnce();
  });

  it("does not treat other failures as a sign-out", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response("upstream down", { status: 503 })));
    const onUnauthorized = vi.fn();
    const error = await new ApiClient(() => "k", "", onUnauthorized).listModels().catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 503, message: "upstream down" });
    expect(onUnauthorized).not.toHaveBeenCalled();
  });
});
