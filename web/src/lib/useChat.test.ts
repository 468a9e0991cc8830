import { act, renderHook, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { StreamInterrupted, type ApiClient, type ChatStreamHandlers } from "../api/client";
import type { StreamEvent } from "../api/types";
import { useChat } from "./useChat";

const ev = (patch: Partial<StreamEvent>): StreamEvent => ({ id: "r1", response_type: "answer", content: "", done: false, ...patch });

/** Scripted stand-in for the client: each call plays the next script. */
function fakeApi(scripts: Record<"chat" | "continueStream", ((h: ChatStreamHandlers) => Promise<void>)[]>) {
  const calls: string[] = [];
  const api = {
    loadMessages: vi.fn(async () => []),
    stopSession: vi.fn(async () => ({ stopped: true })),
    chat: vi.fn(async (_s: string, _q: string, h: ChatStreamHandlers) => {
      calls.push("chat");
      await scripts.chat.shift()!(h);
    }),
    continueStream: vi.fn(async (_s: string, h: ChatStreamHandlers) => {
      calls.push("continue");
      await scripts.continueStream.shift()!(h);
    }),
  };
  return { api: api as unknown as ApiClient, calls };
}

describe("useChat", () => {
  it("keeps the partial answer of a dropped stream, then resumes it on retry", async () => {
    const { api, calls } = fakeApi({
      chat: [
        async (h) => {
          h.onEvent(ev({ content: "Partial" }));
          throw new StreamInterrupted(new Error("reset"));
        },
      ],
      continueStream: [
        async (h) => {
          h.onEvent(ev({ content: "Partial answer [1]" }));
          h.onEvent(ev({ done: true, status: "complete" }));
        },
      ],
    });
    const { result } = renderHook(() => useChat(api, "s1", () => undefined));
    await waitFor(() => expect(result.current.ready).toBe(true));
    act(() => result.current.ask("s1", "why?"));
    await waitFor(() => expect(result.current.turns[0]?.answer.status).toBe("interrupted"));
    expect(result.current.turns[0].answer.content).toBe("Partial");

    await act(() => result.current.retry(0));
    expect(calls).toEqual(["chat", "continue"]);
    expect(result.current.turns[0].answer).toMatchObject({ status: "done", content: "Partial answer [1]" });
  });

  it("asks again when the resumed answer had not finished", async () => {
    const { api, calls } = fakeApi({
      chat: [
        async () => {
          throw new StreamInterrupted(new Error("reset"));
        },
        async (h) => {
          h.onEvent(ev({ content: "Fresh" }));
          h.onEvent(ev({ done: true }));
        },
      ],
      continueStream: [async (h) => h.onEvent(ev({ done: true, status: "interrupted" }))],
    });
    const { result } = renderHook(() => useChat(api, "s1", () => undefined));
    await waitFor(() => expect(result.current.ready).toBe(true));
    act(() => result.current.ask("s1", "q"));
    await waitFor(() => expect(result.current.turns[0]?.answer.status).toBe("interrupted"));
    await act(() => result.current.retry(0));
    expect(calls).toEqual(["chat", "continue", "chat"]);
    expect(result.current.turns[0].answer).toMatchObject({ status: "done", content: "Fresh" });
  });

  it("stops through the server and shows the answer as stopped", async () => {
    let release: () => void = () => undefined;
    const { api } = fakeApi({
      chat: [
        async (h) => {
          h.onEvent(ev({ content: "Half" }));
          await new Promise<void>((resolve) => (release = resolve));
          h.onEvent(ev({ done: true, status: "interrupted", stop_reason: "stopped by the user" }));
        },
      ],
      continueStream: [],
    });
    const { result } = renderHook(() => useChat(api, "s1", () => undefined));
    await waitFor(() => expect(result.current.ready).toBe(true));
    act(() => result.current.ask("s1", "q"));
    await waitFor(() => expect(result.current.streaming).toBe(true));
    await act(async () => {
      await result.current.stop();
      release();
    });
    await waitFor(() => expect(result.current.turns[0].answer.status).toBe("stopped"));
    expect(api.stopSession).toHaveBeenCalledWith("s1");
    expect(result.current.turns[0].answer).toMatchObject({ content: "Half", stopReason: "stopped by the user" });
  });
});
