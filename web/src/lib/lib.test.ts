import { describe, expect, it } from "vitest";
import type { Message } from "../api/types";
import { detectLang, translate } from "../i18n";
import { en } from "../i18n/en";
import { ko } from "../i18n/ko";
import { answerFromMessage, applyEvent, emptyAnswer, flaggedCitations, isPdfReference, referencePages } from "./answer";
import { chunkImages, safeImageUrl } from "./images";
import { prefillTitle } from "./prefill";
import { parseHash } from "./router";
import { isTerminal, stageProgress } from "./stages";
import { splitThinking } from "./thinking";
import { checkFile, formatBytes } from "./upload";
import { turnsFromMessages } from "./useChat";

describe("checkFile", () => {
  it("accepts supported files and explains rejections per file", () => {
    expect(checkFile({ name: "보고서.PDF", size: 10 })).toBeNull();
    expect(checkFile({ name: "공문.hwp", size: 10 })).toBeNull();
    expect(checkFile({ name: "공문.HWPX", size: 10 })).toBeNull();
    expect(checkFile({ name: "virus.exe", size: 10 })).toEqual({ reason: "unsupported", extension: "exe" });
    expect(checkFile({ name: "README", size: 10 })).toEqual({ reason: "unsupported", extension: "" });
    expect(checkFile({ name: "empty.txt", size: 0 })).toEqual({ reason: "empty" });
    expect(checkFile({ name: "big.pdf", size: 3 * 1024 * 1024 }, 2)).toEqual({ reason: "too_large", size: 3145728, limit: 2097152 });
  });

  it("formats sizes for people", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(150 * 1024 * 1024)).toBe("150 MB");
  });
});

describe("splitThinking", () => {
  it("separates closed and still-open think blocks", () => {
    expect(splitThinking("<think>why</think>\nanswer")).toEqual({ thinking: "why", answer: "answer", thinkingOpen: false });
    expect(splitThinking("<think>still going")).toEqual({ thinking: "still going", answer: "", thinkingOpen: true });
    expect(splitThinking("no thinking")).toEqual({ thinking: "", answer: "no thinking", thinkingOpen: false });
    expect(splitThinking("<thi", true).answer).toBe("");
    expect(splitThinking("a < b <", true).answer).toBe("a < b ");
    expect(splitThinking("a < b <", false).answer).toBe("a < b <");
  });
});

describe("applyEvent", () => {
  const ref = { id: "c1", content: "passage", knowledge_id: "k", knowledge_title: "Doc", chunk_index: 0, start_at: 0, end_at: 7, seq: 0, score: 0.9, match_type: 0, metadata: { pages: [3] } };
  it("accumulates references, thinking and answer until done", () => {
    let s = emptyAnswer();
    s = applyEvent(s, { id: "r", response_type: "references", content: "", done: false, knowledge_references: [ref] });
    s = applyEvent(s, { id: "r", response_type: "thinking", content: "hmm", done: false });
    s = applyEvent(s, { id: "r", response_type: "answer", content: "A", done: false });
    s = applyEvent(s, { id: "r", response_type: "answer", content: "B [1]", done: false });
    expect(s.status).toBe("streaming");
    s = applyEvent(s, { id: "r", response_type: "answer", content: "", done: true, stage_timings: [{ name: "search", ms: 12 }] });
    expect(s).toMatchObject({ requestId: "r", content: "AB [1]", thinking: "hmm", status: "done", timings: [{ name: "search", ms: 12 }] });
    expect(s.references).toHaveLength(1);
    expect(referencePages(s.references[0])).toEqual([3]);
  });

  it("keeps the unsupported citations of the final event and of a stored answer", () => {
    const unsupported = [{ number: 1, sentence: "Lunch costs 5 dollars" }];
    const s = applyEvent(emptyAnswer(), { id: "r", response_type: "answer", content: "", done: true, unsupported_citations: unsupported });
    expect(s.unsupported).toEqual(unsupported);
    const stored = answerFromMessage({
      id: "m", session_id: "s", request_id: "r", role: "assistant", content: "x", is_completed: true, stage_timings: [], created_at: "",
      knowledge_references: [{ ...ref, unsupported_sentences: ["Lunch costs 5 dollars"] }],
    });
    expect(stored.unsupported).toEqual(unsupported);
  });

  it("marks an error event as a failed answer", () => {
    const s = applyEvent(emptyAnswer(), { id: "r", response_type: "error", content: "model unavailable", done: true });
    expect(s).toMatchObject({ status: "error", error: "model unavailable" });
  });
});

describe("flaggedCitations", () => {
  it("flags the marker right after each unsupported sentence, by position", () => {
    const text = "Badges are at reception [1]. Lunch costs 5 dollars [1][2]. See [the guide](x) [1].";
    expect([...flaggedCitations(text, [{ number: 1, sentence: "Lunch costs 5 dollars" }])]).toEqual([1]);
    expect([...flaggedCitations(text, [{ number: 2, sentence: "Lunch costs 5 dollars" }])]).toEqual([2]);
    expect([...flaggedCitations(text, [{ number: 1, sentence: "not in the answer" }])]).toEqual([]);
  });

  it("knows a PDF reference by its file name", () => {
    const base = { id: "c", content: "", knowledge_id: "k", knowledge_title: "", chunk_index: 0, start_at: 0, end_at: 0, seq: 0, score: 0, match_type: 0 };
    expect(isPdfReference({ ...base, knowledge_filename: "Report.PDF" })).toBe(true);
    expect(isPdfReference({ ...base, knowledge_filename: "notes.md" })).toBe(false);
  });
});

describe("turnsFromMessages", () => {
  const msg = (role: "user" | "assistant", content: string, at: string, extra: Partial<Message> = {}): Message => ({
    id: at, session_id: "s", request_id: "", role, content, knowledge_references: [], stage_timings: [], is_completed: true, status: "complete", created_at: at, ...extra,
  });
  it("pairs questions with answers in time order and keeps a stopped answer stopped", () => {
    const turns = turnsFromMessages([
      msg("assistant", "second answer", "2026-01-01T00:00:04Z", { status: "interrupted", is_completed: false }),
      msg("user", "first?", "2026-01-01T00:00:01Z"),
      msg("assistant", "first answer", "2026-01-01T00:00:02Z"),
      msg("user", "second?", "2026-01-01T00:00:03Z"),
    ]);
    expect(turns.map((t) => [t.question, t.answer.content, t.answer.status])).toEqual([
      ["first?", "first answer", "done"],
      ["second?", "second answer", "stopped"],
    ]);
  });
});

describe("small helpers", () => {
  it("progresses through the ingest stages", () => {
    expect(stageProgress("pending")).toBe(0);
    expect(stageProgress("embedding")).toBeCloseTo(0.6);
    expect(stageProgress("completed")).toBe(1);
    expect(isTerminal("failed")).toBe(true);
    expect(isTerminal("indexing")).toBe(false);
  });

  it("normalises image_info and refuses unsafe image URLs", () => {
    expect(chunkImages({ image_info: '[{"url":"/img/a.png","ocr_text":"표"}]' })).toEqual([{ url: "/img/a.png", ocr_text: "표" }]);
    expect(chunkImages({ image_info: "not json" })).toEqual([]);
    expect(chunkImages({ image_info: null })).toEqual([]);
    expect(safeImageUrl("javascript:alert(1)")).toBeNull();
    expect(safeImageUrl("//evil.example/x.png")).toBeNull();
    expect(safeImageUrl("https://cdn.example/x.png")).toBe("https://cdn.example/x.png");
  });

  it("titles an editor prefill with the question, truncated to 40 characters", () => {
    expect(prefillTitle("  what   is\njisik? ")).toBe("what is jisik?");
    const long = prefillTitle("가".repeat(60));
    expect(long).toHaveLength(40);
    expect(long.endsWith("…")).toBe(true);
  });

  it("parses hash routes", () => {
    const route = parseHash("#/docs/abc?chunk=4");
    expect(route.parts).toEqual(["docs", "abc"]);
    expect(route.query.get("chunk")).toBe("4");
    expect(parseHash("").parts).toEqual([]);
  });

  it("picks the language from storage, then the browser", () => {
    expect(detectLang("en", ["ko-KR"])).toBe("en");
    expect(detectLang(null, ["ko-KR", "en"])).toBe("ko");
    expect(detectLang(null, ["fr-FR", "en-US"])).toBe("en");
    expect(detectLang(null, ["fr"])).toBe("en");
    expect(translate("ko", "upload.tooLarge", { size: "3 MB", limit: "2 MB" })).toBe("너무 큽니다: 3 MB (한도 2 MB)");
    expect(Object.keys(ko).sort()).toEqual(Object.keys(en).sort());
  });
});
