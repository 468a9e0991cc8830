import { ExternalLink, X } from "lucide-react";
import type { Reference } from "../api/types";
import { useI18n } from "../i18n";
import { isPdfReference, referencePages } from "../lib/answer";
import type { AnswerFeedback } from "../lib/useFeedback";
import { FeedbackThumbs } from "./FeedbackThumbs";
import { Markdown } from "./Markdown";
import { PdfPageView } from "./PdfPageView";

interface Props {
  reference: Reference;
  n: number;
  /** The answer's sentence that cites the passage (its evidence is highlighted on a PDF page). */
  focus?: string;
  /** Sentences of the answer that cite this passage but are not supported by it. */
  unsupported?: string[];
  onClose: () => void;
  /** Thumbs on this citation of its answer. */
  feedback?: AnswerFeedback;
}

/** The passage behind a [n] marker: document title, page and the highlighted text; for a PDF, the
 * original page with the passage highlighted. */
export function CitationPanel({ reference, n, focus = "", unsupported = [], onClose, feedback }: Props) {
  const { t } = useI18n();
  const pages = referencePages(reference);
  const showPage = isPdfReference(reference) && pages.length > 0;
  return (
    <aside className="citation-panel" data-testid="citation-panel" aria-label={t("chat.citation", { n })}>
      <header className="row">
        <strong className="grow">{t("chat.citation", { n })}</strong>
        {feedback && <FeedbackThumbs rating={feedback.ratingOf(n)} onRate={(r) => feedback.rate(n, r)} testId="citation-thumbs" />}
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
      {unsupported.length > 0 && (
        <div className="warn small" data-testid="citation-unsupported">
          ⚠ {t("chat.unsupportedSentences")}
          <ul>
            {unsupported.map((sentence) => (
              <li key={sentence}>{sentence}</li>
            ))}
          </ul>
        </div>
      )}
      {showPage && (
        <PdfPageView
          knowledgeId={reference.knowledge_id}
          pages={pages}
          focus={focus}
          chunkIds={reference.sub_chunk_id?.length ? reference.sub_chunk_id : [reference.id]}
        />
      )}
      <div className="passage" data-testid="citation-passage">
        <Markdown text={reference.content} />
      </div>
      <a className="button" href={`#/docs/${reference.knowledge_id}?chunk=${reference.chunk_index}`}>
        <ExternalLink size={14} /> {t("doc.open")}
      </a>
    </aside>
  );
}
