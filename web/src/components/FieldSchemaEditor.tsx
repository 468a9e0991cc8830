// The rule builder: fields, rules, duplicate key and review threshold of a knowledge base, with a live
// preview of what the unsaved schema reads from one of its documents.
import { Plus, Trash2 } from "lucide-react";
import { useEffect, useState } from "react";
import { useApi } from "../api/context";
import type { FieldPreview, FieldSchema, FieldSpec, FieldType, Knowledge } from "../api/types";
import { useI18n } from "../i18n";
import { FieldStatusBadge } from "./FieldStatusBadge";
import { FieldTable } from "./FieldTable";

const TYPES: FieldType[] = ["text", "number", "amount", "date", "brn", "rrn", "frn", "corp_no", "phone", "email", "card", "account", "enum", "regex"];
const PREVIEW_DELAY_MS = 500;

function emptyField(index: number): FieldSpec {
  return { name: `field_${index}`, label: "", type: "text", aliases: [], required: false };
}

export function FieldSchemaEditor({ kbId, documents }: { kbId: string; documents: Knowledge[] }) {
  const { api } = useApi();
  const { t } = useI18n();
  const [fields, setFields] = useState<FieldSpec[]>([]);
  const [rules, setRules] = useState("[]");
  const [duplicateKey, setDuplicateKey] = useState("");
  const [threshold, setThreshold] = useState(0.9);
  const [message, setMessage] = useState("");
  const [error, setError] = useState("");
  const [target, setTarget] = useState("");
  const [preview, setPreview] = useState<FieldPreview | null>(null);

  useEffect(() => {
    void api.getFieldSchema(kbId).then((schema) => {
      setFields(schema.fields);
      setRules(JSON.stringify(schema.rules, null, 2));
      setDuplicateKey(schema.duplicate_key.join(", "));
      setThreshold(schema.review_threshold);
    });
  }, [api, kbId]);

  const build = (): FieldSchema => {
    let parsedRules: Record<string, unknown>[];
    try {
      parsedRules = JSON.parse(rules || "[]") as Record<string, unknown>[];
    } catch (e) {
      throw new Error(t("fields.badRules", { reason: String(e) }));
    }
    const key = duplicateKey.split(",").map((s) => s.trim()).filter(Boolean);
    return { fields, rules: parsedRules, duplicate_key: key, review_threshold: threshold };
  };

  useEffect(() => {
    if (!target) return;
    const timer = setTimeout(() => {
      try {
        api.previewFieldSchema(kbId, target, build()).then(
          (result) => {
            setPreview(result);
            setError("");
          },
          (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
        );
      } catch (e) {
        setError(e instanceof Error ? e.message : String(e));
      }
    }, PREVIEW_DELAY_MS);
    return () => clearTimeout(timer);
  }, [target, fields, rules, duplicateKey, threshold]);

  const update = (index: number, change: Partial<FieldSpec>) =>
    setFields(fields.map((field, i) => (i === index ? { ...field, ...change } : field)));

  const save = async () => {
    setMessage("");
    try {
      const saved = await api.putFieldSchema(kbId, build());
      setMessage(t("fields.saved", { version: saved.version ?? 0 }));
      setError("");
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <div className="schema-editor" data-testid="schema-editor">
      <table className="docs">
        <thead>
          <tr>
            <th>{t("fields.name")}</th>
            <th>{t("fields.label")}</th>
            <th>{t("fields.type")}</th>
            <th>{t("fields.aliases")}</th>
            <th>{t("fields.required")}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {fields.map((field, i) => (
            <tr key={i} data-testid="schema-field">
              <td>
                <input value={field.name} onChange={(e) => update(i, { name: e.target.value })} data-testid="schema-name" />
              </td>
              <td>
                <input value={field.label} onChange={(e) => update(i, { label: e.target.value })} data-testid="schema-label" />
              </td>
              <td>
                <select value={field.type} onChange={(e) => update(i, { type: e.target.value as FieldType })} data-testid="schema-type">
                  {TYPES.map((type) => (
                    <option key={type} value={type}>
                      {type}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <input
                  value={field.aliases.join(", ")}
                  onChange={(e) => update(i, { aliases: e.target.value.split(",").map((s) => s.trim()).filter(Boolean) })}
                  data-testid="schema-aliases"
                />
              </td>
              <td>
                <input type="checkbox" checked={field.required} onChange={(e) => update(i, { required: e.target.checked })} />
              </td>
              <td>
                <button type="button" className="ghost" title={t("fields.remove")} onClick={() => setFields(fields.filter((_, j) => j !== i))}>
                  <Trash2 size={14} />
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={() => setFields([...fields, emptyField(fields.length + 1)])} data-testid="schema-add">
        <Plus size={14} /> {t("fields.addField")}
      </button>
      <label>
        {t("fields.rules")}
        <textarea rows={5} value={rules} onChange={(e) => setRules(e.target.value)} data-testid="schema-rules" />
      </label>
      <div className="row">
        <label className="grow">
          {t("fields.duplicateKey")}
          <input value={duplicateKey} onChange={(e) => setDuplicateKey(e.target.value)} />
        </label>
        <label>
          {t("fields.threshold")}
          <input type="number" min={0} max={1} step={0.01} value={threshold} onChange={(e) => setThreshold(Number(e.target.value))} />
        </label>
      </div>
      <div className="row">
        <button type="button" className="primary" onClick={save} data-testid="schema-save">
          {t("fields.save")}
        </button>
        {message && <span className="ok" data-testid="schema-saved">{message}</span>}
      </div>
      {error && <p className="error" data-testid="schema-error">{error}</p>}
      <h3>{t("fields.tryOn")}</h3>
      <select value={target} onChange={(e) => setTarget(e.target.value)} data-testid="schema-preview-doc">
        <option value="">{t("fields.pickDocument")}</option>
        {documents.map((doc) => (
          <option key={doc.id} value={doc.id}>
            {doc.title || doc.file_name}
          </option>
        ))}
      </select>
      {preview && (
        <div className="preview" data-testid="schema-preview">
          <FieldStatusBadge status={preview.status} />
          {preview.fields.length ? <FieldTable fields={preview.fields} /> : <p className="muted">{t("fields.previewEmpty")}</p>}
          {preview.errors.map((e, i) => (
            <div key={i} className="error small">
              {e.message}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
