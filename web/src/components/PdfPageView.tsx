import { ChevronLeft, ChevronRight } from "lucide-react";
import { useEffect, useState } from "react";
import { useApi } from "../api/context";
import { useI18n } from "../i18n";

interface Props {
  knowledgeId: string;
  /** The pages the passage comes from (1-based); the first is shown first. */
  pages: number[];
  /** The chunks whose text is highlighted on the page. */
  chunkIds: string[];
  /** The answer's sentence that cites the passage: its supporting sentences are highlighted, and the
   * first page that holds them is shown first. */
  focus?: string;
}

/** The first of `pages` on which the gateway found the focus's evidence (else the first page), rendered. */
async function firstFocusedPage(
  fetchPage: (page: number) => Promise<{ blob: Blob; focused: boolean }>,
  pages: number[],
): Promise<{ index: number; blob: Blob }> {
  let first: Blob | null = null;
  for (const [index, page] of pages.entries()) {
    const { blob, focused } = await fetchPage(page);
    if (focused) return { index, blob };
    first ??= blob;
  }
  return { index: 0, blob: first! };
}

/** The cited page of the original PDF, rendered by the gateway with the passage highlighted. */
export function PdfPageView({ knowledgeId, pages, chunkIds, focus = "" }: Props) {
  const { api } = useApi();
  const { t } = useI18n();
  // The page the reader turned to (index into `pages`); null: the first page holding the evidence.
  const [requested, setRequested] = useState<number | null>(null);
  const [view, setView] = useState<{ index: number; url: string } | null>(null);
  const [error, setError] = useState("");
  const chunkKey = chunkIds.join(",");
  const pageKey = pages.join(",");

  useEffect(() => setRequested(null), [knowledgeId, chunkKey, pageKey, focus]);

  useEffect(() => {
    let cancelled = false;
    setError("");
    const ids = chunkKey ? chunkKey.split(",") : [];
    const candidates = pageKey.split(",").map(Number);
    const fetchPage = (p: number) => api.pageImage(knowledgeId, p, ids, focus);
    const load =
      requested === null
        ? firstFocusedPage(fetchPage, candidates)
        : fetchPage(candidates[requested]).then(({ blob }) => ({ index: requested, blob }));
    load
      .then(({ index, blob }) => !cancelled && setView({ index, url: URL.createObjectURL(blob) }))
      .catch((cause: unknown) => !cancelled && setError(cause instanceof Error ? cause.message : String(cause)));
    return () => {
      cancelled = true;
    };
  }, [api, knowledgeId, chunkKey, pageKey, focus, requested]);

  useEffect(() => {
    const url = view?.url;
    return () => {
      if (url) URL.revokeObjectURL(url);
    };
  }, [view?.url]);

  const shown = view?.index ?? 0;
  const page = pages[Math.min(shown, pages.length - 1)];
  return (
    <figure className="pdf-page" data-testid="pdf-page-view" data-page={view ? page : ""}>
      <figcaption className="row small muted">
        <span className="grow" data-testid="pdf-page-caption">{t("citation.pageOf", { page })}</span>
        {pages.length > 1 && (
          <>
            <button type="button" className="icon" disabled={shown === 0} onClick={() => setRequested(shown - 1)} title={t("citation.prevPage")}>
              <ChevronLeft size={14} />
            </button>
            <button
              type="button"
              className="icon"
              disabled={shown >= pages.length - 1}
              onClick={() => setRequested(shown + 1)}
              title={t("citation.nextPage")}
            >
              <ChevronRight size={14} />
            </button>
          </>
        )}
      </figcaption>
      {error ? (
        <p className="error small">{error}</p>
      ) : view ? (
        <img src={view.url} alt={t("citation.pageOf", { page })} data-testid="pdf-page" />
      ) : (
        <p className="muted small">{t("citation.pageLoading")}</p>
      )}
    </figure>
  );
}
