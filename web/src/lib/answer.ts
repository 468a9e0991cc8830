// Folds chat SSE events into the state of one streamed answer.
import type { Message, Reference, StageTiming, StreamEvent, UnsupportedCitation } from "../api/types";

export type AnswerStatus = "streaming" | "done" | "stopped" | "interrupted" | "error";

export interface AnswerState {
  requestId: string;
  messageId: string;
  content: string;
  thinking: string;
  references: Reference[];
  timings: StageTiming[];
  status: AnswerStatus;
  error: string;
  cited: number[];
  unsupported: UnsupportedCitation[];
  stopReason: string;
}

export function emptyAnswer(): AnswerState {
  return {
    requestId: "", messageId: "", content: "", thinking: "", references: [], timings: [], status: "streaming", error: "", cited: [], unsupported: [], stopReason: "",
  };
}

export function applyEvent(state: AnswerState, event: StreamEvent): AnswerState {
  const next: AnswerState = {
    ...state,
    requestId: state.requestId || event.id || "",
    messageId: state.messageId || event.assistant_message_id || "",
  };
  if (event.knowledge_references?.length) next.references = event.knowledge_references;
  if (event.stage_timings?.length) next.timings = event.stage_timings;
  switch (event.response_type) {
    case "answer":
      next.content += event.content ?? "";
      break;
    case "thinking":
      next.thinking += event.content ?? "";
      break;
    case "error":
      next.status = "error";
      next.error = event.content || event.code || "error";
      return next;
    default:
      break;
  }
  if (event.done) {
    if (event.cited) next.cited = event.cited;
    if (event.unsupported_citations) next.unsupported = event.unsupported_citations;
    if (event.stop_reason) next.stopReason = event.stop_reason;
    if (next.status === "streaming") {
      if (event.status === "interrupted") next.status = "stopped";
      else if (event.status === "failed") next.status = "error";
      else next.status = "done";
    }
  }
  return next;
}

/** A stored assistant message as an answer (history reload). */
export function answerFromMessage(message: Message): AnswerState {
  const status: AnswerStatus =
    message.status === "interrupted" ? "stopped" : message.status === "failed" ? "error" : message.is_completed ? "done" : "streaming";
  return {
    ...emptyAnswer(),
    requestId: message.request_id,
    messageId: message.id,
    content: message.content,
    references: message.knowledge_references ?? [],
    unsupported: (message.knowledge_references ?? []).flatMap((ref, i) =>
      (ref.unsupported_sentences ?? []).map((sentence) => ({ number: i + 1, sentence })),
    ),
    timings: message.stage_timings ?? [],
    status,
  };
}

/** Pages a reference comes from, from its metadata. */
export function referencePages(reference: Reference): number[] {
  const pages = reference.metadata?.pages;
  return Array.isArray(pages) ? pages.filter((p): p is number => typeof p === "number") : [];
}

/** Which [n] markers of `text` (by position among all markers, 0-based) cite a passage that does not
 * support their sentence: the first [number] after each unsupported sentence. */
export function flaggedCitations(text: string, unsupported: UnsupportedCitation[]): Set<number> {
  const markers = [...text.matchAll(/\[(\d{1,3})\](?!\()/g)];
  const flagged = new Set<number>();
  for (const { number, sentence } of unsupported) {
    const at = text.indexOf(sentence);
    if (at < 0) continue;
    const index = markers.findIndex((m) => (m.index ?? 0) >= at + sentence.length && Number(m[1]) === number);
    if (index >= 0) flagged.add(index);
  }
  return flagged;
}

/** Whether the reference comes from a PDF (its cited page can be shown as the original). */
export function isPdfReference(reference: Reference): boolean {
  return /\.pdf$/i.test(reference.knowledge_filename ?? "");
}
