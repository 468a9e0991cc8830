import { ExternalLink, X } from "lucide-react";
import type { Reference } from "../api/types";
import { useI18n } from "../i18n";
import { referencePages } from "../lib/answer";
import { Markdown } from "./Markdown";

/** The passage behind a [n] marker: document title, page and the highlighted text. */
export function CitationPanel({ reference, n, onClose }: { reference: Reference; n: number; onClose: () => void }) {
  const { t } = useI18n();
  const pages = referencePages(reference);
  return (
    <aside className="citation-panel" data-testid="citation-panel" aria-label={t("chat.citation", { n })}>
      <header className="row">
        <strong className="grow">{t("chat.citation", { n })}</strong>
        <button type="button" className="icon" onClick={onClose} title={t("common.close")}>
          <X size={16} />
        </button>
      </header>
      <h3 data-testid="citation-title">{reference.knowledge_title || reference.knowledge_filename || reference.knowledge_id}</h3>
      <p className="muted small">
        {pages.length > 0 && <span data-testid="citation-page">{t("doc.page", { pages: pages.join(", ") })} · </span>}#
        {reference.chunk_index}
        {typeof reference.score === "number" && ` · ${t("chat.score", { score: reference.score.toFixed(3) })}`}
      </p>
      <div className="passage" data-testid="citation-passage">
        <Markdown text={reference.content} />
      </div>
      <a className="button" href={`#/docs/${reference.knowledge_id}?chunk=${reference.chunk_index}`}>
        <ExternalLink size={14} /> {t("doc.open")}
      </a>
    </aside>
  );
}
