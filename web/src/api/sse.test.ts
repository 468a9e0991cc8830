// @vitest-environment node
import { describe, expect, it } from "vitest";
import { SseParser } from "./sse";

describe("SseParser", () => {
  it("parses events split across arbitrary chunk boundaries", () => {
    const text = 'event: message\ndata: {"a":1}\n\nevent: message\ndata: {"a":2}\n\n';
    for (let cut = 1; cut < text.length; cut++) {
      const parser = new SseParser();
      const events = [...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut)), ...parser.flush()];
      expect(events.map((e) => e.data)).toEqual(['{"a":1}', '{"a":2}']);
    }
  });

  it("handles CRLF, comments, multi-line data and the default event name", () => {
    const parser = new SseParser();
    const events = parser.push(": keep-alive\r\ndata: line one\r\ndata: line two\r\n\r\n");
    expect(events).toEqual([{ event: "message", data: "line one\nline two", id: undefined }]);
  });

  it("does not split a CRLF that arrives in two chunks into two lines", () => {
    const parser = new SseParser();
    expect(parser.push("data: x\r")).toEqual([]);
    expect(parser.push("\n\r\n")).toEqual([{ event: "message", data: "x", id: undefined }]);
  });

  it("keeps the event name and resets it after dispatch", () => {
    const parser = new SseParser();
    const events = parser.push("event: ping\ndata: 1\n\ndata: 2\n\n");
    expect(events.map((e) => e.event)).toEqual(["ping", "message"]);
  });

  it("flushes a final event that lacks its blank line", () => {
    const parser = new SseParser();
    expect(parser.push("data: tail")).toEqual([]);
    expect(parser.flush()).toEqual([{ event: "message", data: "tail", id: undefined }]);
  });
});
