// Review one document: the page image with the selected field's box, editable values, failed checks,
// approve or reject. A concurrent review is reported instead of overwritten.
import { ArrowLeft } from "lucide-react";
import { useEffect, useState } from "react";
import { useApi } from "../api/context";
import { ApiError } from "../api/client";
import type { FieldValue } from "../api/types";
import { FieldStatusBadge } from "../components/FieldStatusBadge";
import { useI18n } from "../i18n";
import { useLoad } from "../lib/useLoad";

/** The page image with the field's box; ``hasPages`` undefined while the document loads, false for formats
 * without page images (only PDFs have them), which show the field's source text instead. */
function PageImage({ knowledgeId, field, hasPages }: { knowledgeId: string; field: FieldValue | undefined; hasPages: boolean | undefined }) {
  const { api } = useApi();
  const { t } = useI18n();
  const page = field?.page ?? 1;
  const [url, setUrl] = useState("");
  const [missing, setMissing] = useState(false);
  useEffect(() => {
    let made = "";
    if (hasPages === undefined) return;
    if (!hasPages) {
      setMissing(true);
      return;
    }
    api.pageImage(knowledgeId, page, []).then(
      ({ blob }) => {
        made = URL.createObjectURL(blob);
        setUrl(made);
        setMissing(false);
      },
      () => setMissing(true),
    );
    return () => {
      if (made) URL.revokeObjectURL(made);
    };
  }, [api, knowledgeId, page, hasPages]);
  if (missing)
    return (
      <div className="review-source">
        <p className="muted">{t("review.noImage")}</p>
        {field && (
          <pre data-testid="review-source-text">
            {t("review.source")}: {field.source_text}
          </pre>
        )}
      </div>
    );
  const box = field?.bbox;
  return (
    <div className="review-page" data-testid="review-page-image">
      {url && <img src={url} alt={`page ${page}`} />}
      {box && (
        <div
          className="field-box"
          data-testid="field-box"
          style={{
            left: `${box[0] * 100}%`,
            top: `${box[1] * 100}%`,
            width: `${(box[2] - box[0]) * 100}%`,
            height: `${(box[3] - box[1]) * 100}%`,
          }}
        />
      )}
    </div>
  );
}

export function ReviewPage({ knowledgeId }: { knowledgeId: string }) {
  const { api } = useApi();
  const { t } = useI18n();
  const doc = useLoad(() => api.getKnowledge(knowledgeId), [api, knowledgeId]);
  const fields = useLoad(() => api.getDocumentFields(knowledgeId), [api, knowledgeId]);
  const [selected, setSelected] = useState("");
  const [values, setValues] = useState<Record<string, string>>({});
  const [comment, setComment] = useState("");
  const [message, setMessage] = useState("");
  const [error, setError] = useState("");

  useEffect(() => {
    if (!fields.data) return;
    setValues(Object.fromEntries(fields.data.fields.map((f) => [f.name, f.value])));
    const firstFailing = fields.data.fields.find((f) => f.checks.some((c) => !c.ok));
    setSelected((current) => current || firstFailing?.name || fields.data?.fields[0]?.name || "");
  }, [fields.data]);

  if (fields.error) return <p className="error page">{fields.error}</p>;
  if (!fields.data) return <p className="muted page">{t("common.loading")}</p>;
  const f = fields.data;
  const field = f.fields.find((x) => x.name === selected);
  // Required fields the extractor did not find: the reviewer types them in (a labelled example for the tagger).
  const missing = [...new Set(f.errors.filter((e) => e.rule === "required" && !f.fields.some((x) => x.name === e.field)).map((e) => e.field))];

  const decide = async (decision: "approve" | "reject") => {
    const corrections = Object.fromEntries([
      ...f.fields.filter((x) => values[x.name] !== undefined && values[x.name] !== x.value).map((x) => [x.name, values[x.name]]),
      ...missing.filter((name) => (values[name] ?? "").trim()).map((name) => [name, values[name].trim()]),
    ]);
    try {
      const saved = await api.review(knowledgeId, { decision, corrections, comment, revision: f.revision });
      fields.setData(saved);
      setMessage(t("review.done", { status: t(`fields.status.${saved.status}`) }));
      setError("");
    } catch (e) {
      setError(e instanceof ApiError && e.status === 409 ? t("review.conflict") : e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <div className="page review" data-testid="review-screen">
      <a href="#/review" className="muted back">
        <ArrowLeft size={14} /> {t("review.title")}
      </a>
      <div className="row">
        <h1 className="grow">{doc.data?.title ?? knowledgeId}</h1>
        <FieldStatusBadge status={f.status} />
      </div>
      <div className="review-layout">
        <PageImage knowledgeId={knowledgeId} field={field} hasPages={doc.data ? doc.data.file_type.toLowerCase() === "pdf" : doc.error ? false : undefined} />
        <div className="review-fields">
          {f.fields.map((x) => (
            <div
              key={x.name}
              className={x.name === selected ? "review-field selected" : "review-field"}
              data-testid="review-field"
              data-name={x.name}
              onClick={() => setSelected(x.name)}
            >
              <label>
                <span>
                  {x.name} <small className="muted">{Math.round(x.confidence * 100)}%{x.reviewed ? ` · ${t("review.corrected")}` : ""}</small>
                </span>
                <input
                  value={values[x.name] ?? ""}
                  onFocus={() => setSelected(x.name)}
                  onChange={(e) => setValues({ ...values, [x.name]: e.target.value })}
                  data-testid="review-input"
                />
              </label>
              {x.checks.filter((c) => !c.ok).map((c) => (
                <div key={c.rule} className="error small" data-testid="review-failed-check">
                  {c.message || c.rule}
                </div>
              ))}
            </div>
          ))}
          {missing.map((name) => (
            <div key={name} className="review-field missing" data-testid="review-field" data-name={name} data-missing="true">
              <label>
                <span>
                  {name} <small className="muted">{t("review.missing")}</small>
                </span>
                <input value={values[name] ?? ""} onChange={(e) => setValues({ ...values, [name]: e.target.value })} data-testid="review-input" />
              </label>
            </div>
          ))}
          {f.errors.filter((e) => !f.fields.some((x) => x.name === e.field) && !missing.includes(e.field)).map((e, i) => (
            <div key={i} className="error small">
              {e.message}
            </div>
          ))}
          <label>
            {t("review.comment")}
            <textarea rows={2} value={comment} onChange={(e) => setComment(e.target.value)} />
          </label>
          <div className="row">
            <button type="button" className="primary" onClick={() => decide("approve")} data-testid="review-approve">
              {t("review.approve")}
            </button>
            <button type="button" className="danger" onClick={() => decide("reject")} data-testid="review-reject">
              {t("review.reject")}
            </button>
          </div>
          {message && <p className="ok" data-testid="review-done">{message}</p>}
          {error && <p className="error" data-testid="review-error">{error}</p>}
        </div>
      </div>
    </div>
  );
}
