import { Eye, FilePenLine, RefreshCw, Trash2 } from "lucide-react";
import { useI18n } from "../i18n";
import type { Documents } from "../lib/useDocuments";
import { StageProgress, StatusBadge } from "./StatusBadge";

export function DocumentTable({ documents }: { documents: Documents }) {
  const { t, lang } = useI18n();
  const act = (fn: () => Promise<void>) => () => {
    fn().catch((e: Error) => window.alert(t("error.generic", { reason: e.message })));
  };
  if (documents.loading) return <p className="muted">{t("common.loading")}</p>;
  return (
    <>
      {documents.error && <p className="error">{documents.error}</p>}
      <table className="docs">
        <thead>
          <tr>
            <th>{t("doc.title")}</th>
            <th>{t("doc.status")}</th>
            <th className="num">{t("doc.pages")}</th>
            <th className="num">{t("doc.chunks")}</th>
            <th>{t("doc.updated")}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {documents.items.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                {t("common.empty")}
              </td>
            </tr>
          )}
          {documents.items.map((doc) => (
            <tr key={doc.id} data-testid="doc-row" data-name={doc.title || doc.file_name} data-file={doc.file_name}>
              <td>
                <a href={`#/docs/${doc.id}`}>{doc.title || doc.file_name}</a>
                {doc.parse_status === "failed" && doc.error_message && (
                  <div className="error small" data-testid="doc-error">
                    {doc.error_message}
                  </div>
                )}
              </td>
              <td>
                <StatusBadge status={doc.parse_status} />
                <StageProgress status={doc.parse_status} />
              </td>
              <td className="num">{doc.page_count || ""}</td>
              <td className="num">{doc.chunk_count || ""}</td>
              <td>
                <small>{new Date(doc.updated_at).toLocaleString(lang)}</small>
              </td>
              <td className="actions">
                <a className="icon" href={`#/docs/${doc.id}`} title={t("doc.open")}>
                  <Eye size={16} />
                </a>
                {doc.type === "manual" && (
                  <a className="icon" href={`#/editor/${doc.id}`} title={t("doc.edit")}>
                    <FilePenLine size={16} />
                  </a>
                )}
                <button type="button" className="icon" title={t("doc.reprocess")} onClick={act(() => documents.reprocess(doc.id))}>
                  <RefreshCw size={16} />
                </button>
                <button
                  type="button"
                  className="icon danger"
                  title={t("common.delete")}
                  onClick={act(async () => {
                    if (window.confirm(t("common.confirmDelete", { name: doc.title || doc.file_name }))) await documents.remove(doc.id);
                  })}
                >
                  <Trash2 size={16} />
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
