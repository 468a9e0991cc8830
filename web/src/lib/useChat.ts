// One conversation: history, the answer being streamed, stop and retry.
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, StreamInterrupted, type ApiClient } from "../api/client";
import type { Message } from "../api/types";
import { answerFromMessage, applyEvent, emptyAnswer, type AnswerState } from "./answer";

export interface Turn {
  question: string;
  answer: AnswerState;
}

/** Pairs stored messages into question/answer turns, oldest first. */
export function turnsFromMessages(messages: Message[]): Turn[] {
  const sorted = [...messages].sort((a, b) => a.created_at.localeCompare(b.created_at));
  const turns: Turn[] = [];
  for (const message of sorted) {
    if (message.role === "user") turns.push({ question: message.content, answer: { ...emptyAnswer(), status: "done" } });
    else if (turns.length && !turns[turns.length - 1].answer.content) turns[turns.length - 1].answer = answerFromMessage(message);
    else turns.push({ question: "", answer: answerFromMessage(message) });
  }
  return turns;
}

export function useChat(api: ApiClient, sessionId: string | undefined, onTitle: () => void) {
  const [turns, setTurns] = useState<Turn[]>([]);
  const [error, setError] = useState("");
  const controller = useRef<AbortController | null>(null);
  const skipLoad = useRef<string | null>(null);

  useEffect(() => {
    // A session this hook just created already holds its first, streaming turn.
    if (sessionId && skipLoad.current === sessionId) return;
    skipLoad.current = null;
    controller.current?.abort();
    controller.current = null;
    setError("");
    if (!sessionId) {
      setTurns([]);
      return;
    }
    let live = true;
    api
      .loadMessages(sessionId)
      .then((messages) => live && setTurns(turnsFromMessages(messages ?? [])))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [api, sessionId]);

  const streaming = turns.some((t) => t.answer.status === "streaming");

  const updateTurn = (index: number, fn: (a: AnswerState) => AnswerState) =>
    setTurns((current) => current.map((turn, i) => (i === index ? { ...turn, answer: fn(turn.answer) } : turn)));

  const run = useCallback(
    async (session: string, index: number, question: string) => {
      const abort = new AbortController();
      controller.current = abort;
      let titled = false;
      try {
        await api.chat(
          session,
          question,
          {
            onEvent: (event) => {
              updateTurn(index, (a) => applyEvent(a, event));
              if (event.response_type === "session_title") titled = true;
            },
          },
          abort.signal,
        );
      } catch (e) {
        if (e instanceof StreamInterrupted) updateTurn(index, (a) => ({ ...a, status: "interrupted" }));
        else updateTurn(index, (a) => ({ ...a, status: "error", error: e instanceof ApiError ? e.message : String(e) }));
      } finally {
        if (abort.signal.aborted) updateTurn(index, (a) => (a.status === "streaming" ? { ...a, status: "stopped" } : a));
        else updateTurn(index, (a) => (a.status === "streaming" ? { ...a, status: "done" } : a));
        if (controller.current === abort) controller.current = null;
        if (titled || index === 0) onTitle();
      }
    },
    [api, onTitle],
  );

  /** Asks in `session` (which may have just been created by the caller). */
  const ask = useCallback(
    (session: string, question: string) => {
      skipLoad.current = session;
      const index = session === sessionId ? turns.length : 0;
      setTurns((current) => [...(session === sessionId ? current : []), { question, answer: emptyAnswer() }]);
      void run(session, index, question);
    },
    [run, sessionId, turns.length],
  );

  const retry = useCallback(
    (index: number) => {
      if (!sessionId) return;
      const question = turns[index]?.question;
      if (!question) return;
      updateTurn(index, () => emptyAnswer());
      void run(sessionId, index, question);
    },
    [run, sessionId, turns],
  );

  const stop = useCallback(async () => {
    if (sessionId) await api.stopSession(sessionId).catch(() => undefined);
    controller.current?.abort();
  }, [api, sessionId]);

  const loadTimings = useCallback(
    async (index: number) => {
      if (!sessionId) return;
      const messages = await api.loadMessages(sessionId);
      const requestId = turns[index]?.answer.requestId;
      const assistant = messages.filter((m) => m.role === "assistant");
      const match = assistant.find((m) => requestId && m.request_id === requestId) ?? turnsFromMessages(messages)[index]?.answer;
      const timings = match && "stage_timings" in match ? match.stage_timings : match && "timings" in match ? match.timings : [];
      updateTurn(index, (a) => ({ ...a, timings: timings ?? [] }));
    },
    [api, sessionId, turns],
  );

  return { turns, error, streaming, ask, retry, stop, loadTimings };
}
