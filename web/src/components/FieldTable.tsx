// A read-only table of field values, their confidence and failed checks.
import type { FieldValue } from "../api/types";
import { useI18n } from "../i18n";

export function FieldTable({ fields }: { fields: FieldValue[] }) {
  const { t } = useI18n();
  return (
    <table className="docs fields" data-testid="field-table">
      <thead>
        <tr>
          <th>{t("fields.name")}</th>
          <th>{t("fields.value")}</th>
          <th>{t("fields.normalized")}</th>
          <th className="num">{t("fields.confidence")}</th>
          <th>{t("fields.checks")}</th>
        </tr>
      </thead>
      <tbody>
        {fields.map((field) => (
          <tr key={field.name} data-testid="field-row" data-name={field.name}>
            <td>{field.name}</td>
            <td>{field.value}</td>
            <td data-testid="field-normalized">{field.normalized}</td>
            <td className="num">{Math.round(field.confidence * 100)}%</td>
            <td>
              {field.checks.filter((c) => !c.ok).map((c) => (
                <div key={c.rule} className="error small">
                  {c.message || c.rule}
                </div>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
