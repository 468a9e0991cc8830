import { Eraser, Eye, FilePenLine, RefreshCw, Trash2 } from "lucide-react";
import { useState } from "react";
import type { ErasureReceipt } from "../api/types";
import { useI18n } from "../i18n";
import type { Documents } from "../lib/useDocuments";
import { StageProgress, StatusBadge } from "./StatusBadge";

export function DocumentTable({ documents }: { documents: Documents }) {
  const { t, lang } = useI18n();
  const [receipt, setReceipt] = useState<ErasureReceipt | null>(null);
  const act = (fn: () => Promise<void>) => () => {
    fn().catch((e: Error) => window.alert(t("error.generic", { reason: e.message })));
  };
  if (documents.loading) return <p className="muted">{t("common.loading")}</p>;
  return (
    <>
      {documents.error && <p className="error">{documents.error}</p>}
      {receipt && <ErasureReceiptView receipt={receipt} onClose={() => setReceipt(null)} />}
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
                <button
                  type="button"
                  className="icon danger"
                  title={t("erase.action")}
                  data-testid="doc-erase"
                  onClick={act(async () => {
                    if (window.confirm(t("erase.confirm", { name: doc.title || doc.file_name }))) setReceipt(await documents.erase(doc.id));
                  })}
                >
                  <Eraser size={16} />
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** What an erasure removed: counts per kind and how many object keys (stored as sha256 only). */
function ErasureReceiptView({ receipt, onClose }: { receipt: ErasureReceipt; onClose: () => void }) {
  const { t } = useI18n();
  const kinds = Object.entries(receipt.removed).filter(([, count]) => count > 0);
  return (
    <section className="card receipt" data-testid="erase-receipt">
      <h3>{t("erase.receipt")}</h3>
      <table>
        <tbody>
          {kinds.map(([kind, count]) => (
            <tr key={kind} data-testid={`receipt-${kind}`}>
              <td>{t(`erase.kind.${kind}` as "erase.kind.documents")}</td>
              <td className="num">{count}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        {t("erase.keys", { n: receipt.object_key_sha256.length })} {t("erase.tombstones", { n: Object.values(receipt.tombstones).reduce((a, b) => a + b, 0) })}
      </p>
      <button type="button" onClick={onClose}>
        {t("common.close")}
      </button>
    </section>
  );
}
