// One conversation: history, the answer being streamed, stop, resume and retry.
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, StreamInterrupted, type ApiClient } from "../api/client";
import type { Message, ModelPrompt } from "../api/types";
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
    else if (turns.length && !turns[turns.length - 1].answer.messageId) turns[turns.length - 1].answer = answerFromMessage(message);
    else turns.push({ question: "", answer: answerFromMessage(message) });
  }
  return turns;
}

type Mode = "ask" | "resume";

export function useChat(api: ApiClient, sessionId: string | undefined, onTurnEnd: () => void) {
  const [turns, setTurns] = useState<Turn[]>([]);
  const [error, setError] = useState("");
  // False while a session's history loads: asking then would race the load (turn indices would shift).
  const [ready, setReady] = useState(true);
  const controller = useRef<AbortController | null>(null);
  const skipLoad = useRef<string | null>(null);
  const stopRequested = useRef(false);
  // Read through a ref so a caller's inline callback does not restart the history load on every render.
  const turnEnd = useRef(onTurnEnd);
  turnEnd.current = onTurnEnd;

  const setAnswer = (index: number, answer: AnswerState) =>
    setTurns((current) => current.map((turn, i) => (i === index ? { ...turn, answer } : turn)));

  /** Streams one answer into turn `index`; returns how it ended. */
  const run = useCallback(
    async (session: string, index: number, question: string, mode: Mode): Promise<AnswerState> => {
      const abort = new AbortController();
      controller.current = abort;
      stopRequested.current = false;
      let answer = emptyAnswer();
      setAnswer(index, answer);
      const handlers = {
        onEvent: (event: Parameters<typeof applyEvent>[1]) => {
          answer = applyEvent(answer, event);
          setAnswer(index, answer);
        },
      };
      try {
        if (mode === "resume") await api.continueStream(session, handlers, abort.signal);
        else await api.chat(session, question, handlers, abort.signal);
      } catch (e) {
        // A stream that ends early after the user pressed stop was stopped, not dropped.
        if (e instanceof StreamInterrupted) answer = { ...answer, status: stopRequested.current ? "stopped" : "interrupted" };
        else answer = { ...answer, status: "error", error: e instanceof ApiError ? e.message : String(e) };
      }
      if (answer.status === "streaming") answer = { ...answer, status: abort.signal.aborted ? "stopped" : "done" };
      setAnswer(index, answer);
      if (controller.current === abort) controller.current = null;
      turnEnd.current();
      return answer;
    },
    [api],
  );

  useEffect(() => {
    // A session this hook just created already holds its first, streaming turn.
    if (sessionId && skipLoad.current === sessionId) return;
    skipLoad.current = null;
    controller.current?.abort();
    controller.current = null;
    setError("");
    setTurns([]);
    if (!sessionId) return;
    setReady(false);
    let live = true;
    api
      .loadMessages(sessionId, 100)
      .then((messages) => {
        if (!live) return;
        const loaded = turnsFromMessages(messages ?? []);
        setTurns(loaded);
        // An answer still being generated (e.g. after a reload): re-attach to it.
        const last = loaded.length - 1;
        if (last >= 0 && loaded[last].answer.status === "streaming") void run(sessionId, last, loaded[last].question, "resume");
      })
      .catch((e: Error) => live && setError(e.message))
      .finally(() => live && setReady(true));
    return () => {
      live = false;
    };
  }, [api, sessionId, run]);

  const streaming = turns.some((t) => t.answer.status === "streaming");

  /** Asks in `session` (which may have just been created by the caller). */
  const ask = useCallback(
    (session: string, question: string) => {
      skipLoad.current = session;
      const fresh = session !== sessionId;
      const index = fresh ? 0 : turns.length;
      setTurns((current) => [...(fresh ? [] : current), { question, answer: emptyAnswer() }]);
      void run(session, index, question, "ask");
    },
    [run, sessionId, turns.length],
  );

  /** After a dropped connection: re-attach to the latest answer; if it did not finish, ask again. */
  const retry = useCallback(
    async (index: number) => {
      if (!sessionId) return;
      const question = turns[index]?.question ?? "";
      const isLast = index === turns.length - 1;
      if (isLast && turns[index].answer.status === "interrupted") {
        const resumed = await run(sessionId, index, question, "resume");
        if (resumed.status === "done" || !question) return;
      }
      if (question) await run(sessionId, index, question, "ask");
    },
    [run, sessionId, turns],
  );

  /** Asks the server to stop; the stream then ends with the partial answer. Aborts if the server cannot. */
  const stop = useCallback(async () => {
    const active = controller.current;
    if (!sessionId || !active) return;
    stopRequested.current = true;
    try {
      const result = await api.stopSession(sessionId);
      if (!(result as { stopped?: boolean })?.stopped) active.abort();
    } catch {
      active.abort();
    }
  }, [api, sessionId]);

  /** Stage timings are stored with the answer; fetch them when asked for. */
  const loadTimings = useCallback(
    async (index: number) => {
      if (!sessionId) return;
      const target = turns[index]?.answer;
      const messages = await api.loadMessages(sessionId, 200);
      const match = messages.find(
        (m) => m.role === "assistant" && ((target?.messageId && m.id === target.messageId) || (target?.requestId && m.request_id === target.requestId)),
      );
      if (match && target) setAnswer(index, { ...target, timings: match.stage_timings ?? [] });
    },
    [api, sessionId, turns],
  );

  const modelPrompt = useCallback(
    async (index: number): Promise<ModelPrompt | null> => {
      if (!sessionId) return null;
      const target = turns[index]?.answer;
      let messageId = target?.messageId ?? "";
      if (!messageId) {
        const messages = await api.loadMessages(sessionId, 200);
        messageId = messages.find((m) => m.role === "assistant" && target?.requestId && m.request_id === target.requestId)?.id ?? "";
      }
      return messageId ? api.modelPrompt(sessionId, messageId) : null;
    },
    [api, sessionId, turns],
  );

  return { turns, error, ready, streaming, ask, retry, stop, loadTimings, modelPrompt };
}
