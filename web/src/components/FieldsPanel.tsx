// The fields read from one document, with their checks, on the document page.
import { useApi } from "../api/context";
import { useI18n } from "../i18n";
import { useLoad } from "../lib/useLoad";
import { FieldStatusBadge } from "./FieldStatusBadge";
import { FieldTable } from "./FieldTable";

export function FieldsPanel({ knowledgeId }: { knowledgeId: string }) {
  const { api } = useApi();
  const { t } = useI18n();
  const fields = useLoad(() => api.getDocumentFields(knowledgeId), [api, knowledgeId]);
  if (fields.loading) return null;
  if (!fields.data || fields.data.status === "not_extracted") return <p className="muted" data-testid="fields-none">{t("fields.none")}</p>;
  const f = fields.data;
  return (
    <section className="fields-panel" data-testid="fields-panel">
      <div className="row">
        <h2 className="grow">{t("fields.title")}</h2>
        <FieldStatusBadge status={f.status} />
        <a className="button" href={`#/review/${knowledgeId}`} data-testid="open-review">
          {t("fields.review")}
        </a>
      </div>
      <FieldTable fields={f.fields} />
      {f.errors.length > 0 && (
        <ul className="field-errors">
          {f.errors.map((e, i) => (
            <li key={i} className="error">
              {e.message}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
