import { MessageSquarePlus, Send, Square, Trash2 } from "lucide-react";
import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from "react";
import { useApi } from "../api/context";
import type { Reference } from "../api/types";
import { AnswerView } from "../components/AnswerView";
import { CitationPanel } from "../components/CitationPanel";
import { useI18n } from "../i18n";
import { openEditorWith, prefillTitle } from "../lib/prefill";
import { navigate } from "../lib/router";
import { useChat } from "../lib/useChat";
import { useFeedback } from "../lib/useFeedback";
import { useLoad } from "../lib/useLoad";

export function ChatPage({ sessionId }: { sessionId?: string }) {
  const { api } = useApi();
  const { t } = useI18n();
  const sessions = useLoad(() => api.listSessions(), [api]);
  const kbs = useLoad(() => api.listKnowledgeBases(), [api]);
  const reloadSessions = useCallback(() => void sessions.reload(), [sessions.reload]);
  const chat = useChat(api, sessionId, reloadSessions);
  const [draft, setDraft] = useState("");
  const [scope, setScope] = useState("");
  const [citation, setCitation] = useState<{ reference: Reference; n: number; focus: string; unsupported: string[]; messageId: string } | null>(null);
  const feedback = useFeedback();
  const [error, setError] = useState("");
  const bottom = useRef<HTMLDivElement>(null);

  useEffect(() => {
    bottom.current?.scrollIntoView?.({ block: "end" });
  }, [chat.turns]);
  useEffect(() => setCitation(null), [sessionId]);

  const send = async () => {
    const question = draft.trim();
    if (!question || chat.streaming || !chat.ready) return;
    setDraft("");
    setError("");
    try {
      let session = sessionId;
      if (!session) {
        const ids = scope ? [scope] : (kbs.data ?? []).map((kb) => kb.id);
        session = (await api.createSession({ title: prefillTitle(question), knowledge_base_ids: ids })).id;
        chat.ask(session, question);
        navigate(`/chat/${session}`);
        void sessions.reload();
        return;
      }
      // A session made elsewhere (e.g. "ask this knowledge base") is titled by its first question.
      const current = sessions.data?.items.find((s) => s.id === session);
      if (current && !current.title && chat.turns.length === 0) {
        void api.updateSession(session, { title: prefillTitle(question) }).then(() => sessions.reload(), () => undefined);
      }
      chat.ask(session, question);
    } catch (e) {
      setDraft(question);
      setError((e as Error).message);
    }
  };

  const onKey = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  };

  const removeSession = async (id: string, title: string) => {
    if (!window.confirm(t("common.confirmDelete", { name: title || t("chat.untitled") }))) return;
    await api.deleteSession(id);
    if (id === sessionId) navigate("/chat");
    void sessions.reload();
  };

  return (
    <div className={citation ? "chat with-panel" : "chat"}>
      <aside className="sessions">
        <a className="button primary" href="#/chat" data-testid="new-chat">
          <MessageSquarePlus size={16} /> {t("chat.new")}
        </a>
        <ul>
          {sessions.data?.items.map((s) => (
            <li key={s.id} className={s.id === sessionId ? "active" : ""}>
              <a href={`#/chat/${s.id}`} className="grow" data-testid="session-link">
                {s.title || t("chat.untitled")}
              </a>
              <button type="button" className="icon" title={t("chat.deleteSession")} onClick={() => void removeSession(s.id, s.title)}>
                <Trash2 size={14} />
              </button>
            </li>
          ))}
        </ul>
      </aside>
      <section className="conversation">
        <div className="messages">
          {chat.error && <p className="error">{chat.error}</p>}
          {chat.turns.length === 0 && (
            <div className="empty">
              <p className="muted">{t("chat.empty")}</p>
              {!sessionId && (
                <label className="row">
                  {t("chat.scope")}
                  <select value={scope} onChange={(e) => setScope(e.target.value)} data-testid="chat-scope">
                    <option value="">{t("chat.allKbs")}</option>
                    {kbs.data?.map((kb) => (
                      <option key={kb.id} value={kb.id}>
                        {kb.name}
                      </option>
                    ))}
                  </select>
                </label>
              )}
            </div>
          )}
          {chat.turns.map((turn, i) => (
            <div key={i} className="turn">
              {turn.question && (
                <div className="question" data-testid="question">
                  {turn.question}
                </div>
              )}
              <AnswerView
                answer={turn.answer}
                onCite={(reference, n, focus) =>
                  setCitation({
                    reference,
                    n,
                    focus,
                    unsupported: turn.answer.unsupported.filter((u) => u.number === n).map((u) => u.sentence),
                    messageId: turn.answer.messageId,
                  })
                }
                onRetry={() => void chat.retry(i)}
                onAddToKb={(text) => openEditorWith({ title: turn.question, content: text })}
                onTimings={() => chat.loadTimings(i)}
                onModelPrompt={() => chat.modelPrompt(i)}
                feedback={feedback.forAnswer(turn.answer.messageId)}
              />
            </div>
          ))}
          <div ref={bottom} />
        </div>
        <div className="composer">
          {(error || feedback.error) && <p className="error">{error || feedback.error}</p>}
          <textarea
            rows={2}
            value={draft}
            placeholder={t("chat.placeholder")}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={onKey}
            data-testid="chat-input"
          />
          {chat.streaming ? (
            <button type="button" className="danger" onClick={() => void chat.stop()} data-testid="stop">
              <Square size={16} /> {t("chat.stop")}
            </button>
          ) : (
            <button type="button" className="primary" onClick={() => void send()} disabled={!draft.trim() || !chat.ready} data-testid="send">
              <Send size={16} /> {t("chat.send")}
            </button>
          )}
        </div>
      </section>
      {citation && (
        <CitationPanel
          reference={citation.reference}
          n={citation.n}
          focus={citation.focus}
          unsupported={citation.unsupported}
          onClose={() => setCitation(null)}
          feedback={citation.messageId ? feedback.forAnswer(citation.messageId) : undefined}
        />
      )}
    </div>
  );
}
