import { FilePlus2, Save, Send } from "lucide-react";
import { useEffect, useState } from "react";
import { useApi } from "../api/context";
import type { Knowledge } from "../api/types";
import { Markdown } from "../components/Markdown";
import { StatusBadge } from "../components/StatusBadge";
import { useI18n } from "../i18n";
import { takePrefill } from "../lib/prefill";
import { isTerminal } from "../lib/stages";
import { POLL_MS } from "../lib/useDocuments";
import { useLoad } from "../lib/useLoad";

export const MIN_PUBLISH_CHARS = 10;

export function canPublish(content: string): boolean {
  return content.trim().length >= MIN_PUBLISH_CHARS;
}

/** Online Markdown editor for manual knowledge: split view, drafts, publish and republish. */
export function EditorPage({ knowledgeId, kbId: initialKb }: { knowledgeId?: string; kbId: string }) {
  const { api } = useApi();
  const { t, lang } = useI18n();
  const kbs = useLoad(() => api.listKnowledgeBases(), [api]);
  const [doc, setDoc] = useState<Knowledge | null>(null);
  const [kbId, setKbId] = useState(initialKb);
  const [title, setTitle] = useState("");
  const [content, setContent] = useState("");
  const [message, setMessage] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const manualDocs = useLoad(
    async () => (kbId ? (await api.listKnowledge(kbId)).items.filter((d) => d.type === "manual") : []),
    [api, kbId, doc?.updated_at],
  );

  useEffect(() => {
    if (knowledgeId) {
      api
        .getKnowledge(knowledgeId)
        .then((d) => {
          setDoc(d);
          setKbId(d.knowledge_base_id);
          setTitle(d.title);
          setContent(typeof d.metadata?.content === "string" ? d.metadata.content : "");
        })
        .catch((e: Error) => setError(e.message));
      return;
    }
    const prefill = takePrefill();
    if (prefill) {
      setTitle(prefill.title);
      setContent(prefill.content);
    }
  }, [api, knowledgeId]);

  useEffect(() => {
    if (!kbId && kbs.data?.length) setKbId(kbs.data[0].id);
  }, [kbId, kbs.data]);

  // Follow a published document through ingest so the badge shows when it becomes searchable.
  const moving = doc && !isTerminal(doc.parse_status) ? doc.id : "";
  useEffect(() => {
    if (!moving) return;
    const timer = window.setInterval(() => {
      api.getKnowledge(moving).then(setDoc, () => undefined);
    }, POLL_MS);
    return () => window.clearInterval(timer);
  }, [api, moving]);

  const save = async (status: "draft" | "publish") => {
    setMessage("");
    setError("");
    if (!kbId) return setError(t("editor.pickKb"));
    if (status === "publish" && !canPublish(content)) return setError(t("editor.minLength"));
    setBusy(true);
    try {
      const fallback = content.trim().split("\n")[0].replace(/^#+\s*/, "").slice(0, 40) || t("editor.untitled");
      const input = { title: title.trim() || fallback, content, status };
      const saved = doc ? await api.updateManual(doc.id, input) : await api.createManual(kbId, input);
      setDoc(saved);
      const stillPublished = saved.parse_status !== "draft";
      setMessage(status === "publish" ? t("editor.publishedMsg") : stillPublished ? t("editor.savedPublished") : t("editor.saved"));
      if (!doc) window.history.replaceState(null, "", `#/editor/${saved.id}`);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const published = doc ? doc.parse_status !== "draft" : false;
  // Saving a published document keeps the published text searchable; the edit waits for republish.
  const publishedText = doc?.metadata?.published_content;
  const unpublished = published && typeof publishedText === "string" && publishedText !== doc?.metadata?.content;
  return (
    <div className="editor-page">
      <aside className="sessions">
        <a className="button primary" href={`#/editor?kb=${kbId}`}>
          <FilePlus2 size={16} /> {t("editor.new")}
        </a>
        <h4 className="muted">{t("editor.documents")}</h4>
        <ul>
          {manualDocs.data?.map((d) => (
            <li key={d.id} className={d.id === doc?.id ? "active" : ""}>
              <a href={`#/editor/${d.id}`} className="grow" data-testid="manual-doc">
                {d.title}
              </a>
              <StatusBadge status={d.parse_status} />
            </li>
          ))}
        </ul>
      </aside>
      <section className="editor">
        <div className="row wrap">
          <input
            className="grow title-input"
            placeholder={t("editor.title")}
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            data-testid="editor-title"
          />
          <select value={kbId} onChange={(e) => setKbId(e.target.value)} disabled={!!doc} title={t("editor.kb")} data-testid="editor-kb">
            {kbs.data?.map((kb) => (
              <option key={kb.id} value={kb.id}>
                {kb.name}
              </option>
            ))}
          </select>
        </div>
        <div className="row meta">
          {doc ? (
            <>
              <span className={published ? "badge status-completed" : "badge status-draft"} data-testid="editor-badge">
                {published ? t("editor.published") : t("editor.draft")}
              </span>
              {published && <StatusBadge status={doc.parse_status} />}
              {unpublished && (
                <span className="badge status-draft" data-testid="editor-unpublished">
                  {t("editor.unpublished")}
                </span>
              )}
              <small className="muted" data-testid="editor-updated">
                {t("editor.lastUpdated", { time: new Date(doc.updated_at).toLocaleString(lang) })}
              </small>
            </>
          ) : (
            <span className="badge status-draft">{t("editor.new")}</span>
          )}
          <span className="spacer" />
          <button type="button" disabled={busy} onClick={() => void save("draft")} data-testid="save-draft">
            <Save size={16} /> {t("editor.saveDraft")}
          </button>
          <button type="button" className="primary" disabled={busy} onClick={() => void save("publish")} data-testid="publish">
            <Send size={16} /> {published ? t("editor.republish") : t("editor.publish")}
          </button>
        </div>
        {error && <p className="error">{error}</p>}
        {message && <p className="ok">{message}</p>}
        <div className="split">
          <textarea
            value={content}
            onChange={(e) => setContent(e.target.value)}
            placeholder={t("editor.content")}
            spellCheck={false}
            data-testid="editor-content"
          />
          <div className="preview" data-testid="editor-preview" aria-label={t("editor.preview")}>
            <Markdown text={content} />
          </div>
        </div>
      </section>
    </div>
  );
}
