// Folds chat SSE events into the state of one streamed answer.
import type { Message, Reference, StageTiming, StreamEvent } from "../api/types";

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
  stopReason: string;
}

export function emptyAnswer(): AnswerState {
  return {
    requestId: "", messageId: "", content: "", thinking: "", references: [], timings: [], status: "streaming", error: "", cited: [], stopReason: "",
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
    timings: message.stage_timings ?? [],
    status,
  };
}

/** Pages a reference comes from, from its metadata. */
export function referencePages(reference: Reference): number[] {
  const pages = reference.metadata?.pages;
  return Array.isArray(pages) ? pages.filter((p): p is number => typeof p === "number") : [];
}
