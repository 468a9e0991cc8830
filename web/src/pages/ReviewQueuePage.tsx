// Documents whose fields wait for a person (or any other field status), oldest first.
import { useState } from "react";
import { useApi } from "../api/context";
import type { FieldStatus } from "../api/types";
import { FieldStatusBadge } from "../components/FieldStatusBadge";
import { useI18n } from "../i18n";
import { useLoad } from "../lib/useLoad";

const STATUSES: FieldStatus[] = ["needs_review", "rejected", "approved", "auto_approved"];

export function ReviewQueuePage({ kbId }: { kbId: string }) {
  const { api } = useApi();
  const { t, lang } = useI18n();
  const [status, setStatus] = useState<FieldStatus>("needs_review");
  const queue = useLoad(() => api.reviewQueue(status, kbId), [api, status, kbId]);
  return (
    <div className="page" data-testid="review-queue">
      <div className="row">
        <h1 className="grow">{t("review.title")}</h1>
        <select value={status} onChange={(e) => setStatus(e.target.value as FieldStatus)} data-testid="review-status-filter">
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`fields.status.${s}`)}
            </option>
          ))}
        </select>
      </div>
      {queue.error && <p className="error">{queue.error}</p>}
      {queue.data?.items.length === 0 && <p className="muted">{t("review.empty")}</p>}
      {!!queue.data?.items.length && (
        <table className="docs">
          <thead>
            <tr>
              <th>{t("review.document")}</th>
              <th>{t("doc.status")}</th>
              <th className="num">{t("review.errors")}</th>
              <th className="num">{t("review.lowest")}</th>
              <th>{t("doc.updated")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {queue.data.items.map((item) => (
              <tr key={item.knowledge_id} data-testid="review-row" data-name={item.title}>
                <td>{item.title}</td>
                <td>
                  <FieldStatusBadge status={item.status} />
                </td>
                <td className="num">{item.error_count}</td>
                <td className="num">{item.lowest_confidence === null ? "–" : `${Math.round(item.lowest_confidence * 100)}%`}</td>
                <td>{new Date(item.updated_at).toLocaleString(lang)}</td>
                <td>
                  <a className="button" href={`#/review/${item.knowledge_id}`} data-testid="review-open">
                    {t("review.open")}
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
