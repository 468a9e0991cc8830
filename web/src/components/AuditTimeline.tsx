// The audit trail of one document, knowledge base or the whole tenant: who changed what, and when.
import { History } from "lucide-react";
import { useEffect, useState } from "react";
import type { AuditFilter } from "../api/client";
import { useApi } from "../api/context";
import type { AuditEventPublic } from "../api/openapi";
import { useI18n } from "../i18n";
import { en, type MessageKey } from "../i18n/en";
import { useLoad } from "../lib/useLoad";

const PAGE_SIZE = 20;

function shown(value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/** The message key naming an entity type, or "" for types this app has no name for. */
function entityKey(entityType: string): string {
  const key = `audit.entity.${entityType}`;
  return key in en ? key : "";
}

// On a create or delete every column is listed; these say nothing the entry does not already show.
const IMPLIED = new Set(["id", "tenant_id", "created_at"]);

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === "object" && Object.keys(value as object).length === 0;
}

function Changes({ event }: { event: AuditEventPublic }) {
  const whole = event.action !== "updated";
  const columns = Object.entries(event.changes).filter(
    ([column, change]) => !whole || (!IMPLIED.has(column) && !isEmpty(event.action === "created" ? change.after : change.before)),
  );
  if (columns.length === 0) return null;
  return (
    <ul className="audit-changes">
      {columns.map(([column, change]) => (
        <li key={column}>
          <code>{column}</code>{" "}
          {event.action !== "created" && <span className={whole ? "" : "audit-before"}>{shown(change.before)}</span>}
          {event.action === "updated" && " → "}
          {event.action !== "deleted" && <span className="audit-after">{shown(change.after)}</span>}
        </li>
      ))}
    </ul>
  );
}

export function AuditTimeline({ filter, showEntity = false }: { filter: AuditFilter; showEntity?: boolean }) {
  const { api } = useApi();
  const { t, lang } = useI18n();
  // Clicking an actor narrows the timeline to what they did.
  const [actor, setActor] = useState("");
  const query: AuditFilter = actor ? { ...filter, actor } : filter;
  const key = JSON.stringify(query);
  const first = useLoad(() => api.listAudit({ ...query, page: 1, page_size: PAGE_SIZE }), [key]);
  // Older pages fetched with "Show more"; dropped when the filter changes or the list is refreshed.
  const [older, setOlder] = useState<{ pages: number; items: AuditEventPublic[] }>({ pages: 1, items: [] });
  useEffect(() => setOlder({ pages: 1, items: [] }), [key]);
  const refresh = () => {
    setOlder({ pages: 1, items: [] });
    void first.reload();
  };
  const [moreError, setMoreError] = useState("");
  const more = async () => {
    try {
      const next = await api.listAudit({ ...query, page: older.pages + 1, page_size: PAGE_SIZE });
      setOlder({ pages: older.pages + 1, items: [...older.items, ...next.items] });
      setMoreError("");
    } catch (e) {
      setMoreError(e instanceof Error ? e.message : String(e));
    }
  };
  const seen = new Set<string>();
  // Events committed since the first page was loaded shift later pages; an event is shown once.
  const items = [...(first.data?.items ?? []), ...older.items].filter((event) => !seen.has(event.id) && seen.add(event.id));
  const events = { ...first, data: first.data && { ...first.data, items } };
  return (
    <section className="card" data-testid="audit-timeline">
      <div className="row">
        <h3 className="grow">
          <History size={16} /> {t("audit.title")}
        </h3>
        <button type="button" onClick={refresh} data-testid="audit-refresh">
          {t("audit.refresh")}
        </button>
      </div>
      {actor && (
        <p className="row small" data-testid="audit-actor-filter">
          {t("audit.onlyActor", { actor: actor === "system" ? t("audit.system") : actor })}
          <button type="button" className="link" onClick={() => setActor("")} data-testid="audit-actor-clear">
            {t("audit.allActors")}
          </button>
        </p>
      )}
      {(events.error || moreError) && <p className="error">{events.error || moreError}</p>}
      {!events.loading && items.length === 0 && <p className="muted">{t("audit.empty")}</p>}
      <ol className="audit-list">
        {items.map((event) => (
          <li key={event.id} data-testid="audit-event" data-action={event.action} data-actor={event.actor}>
            <div className="row">
              <span className={`badge audit-${event.action}`}>{t(`audit.${event.action}` as MessageKey)}</span>
              {showEntity && (
                <span className="small">
                  {entityKey(event.entity_type) ? t(entityKey(event.entity_type) as MessageKey) : event.entity_type}{" "}
                  <code className="muted">{event.entity_id.slice(0, 8)}</code>
                </span>
              )}
              <span className="grow">
                <button type="button" className="link small" onClick={() => setActor(event.actor)} title={t("audit.byActor")} data-testid="audit-actor">
                  <strong>{event.actor === "system" ? t("audit.system") : event.actor}</strong>
                </button>
              </span>
              <time className="muted small" dateTime={event.occurred_at}>
                {new Date(event.occurred_at).toLocaleString(lang)}
              </time>
            </div>
            <Changes event={event} />
            {event.request_id && (
              <small className="muted">
                {t("audit.request")}: <code>{event.request_id}</code>
              </small>
            )}
          </li>
        ))}
      </ol>
      {events.data && older.pages * PAGE_SIZE < events.data.total && (
        <button type="button" onClick={() => void more()} data-testid="audit-more">
          {t("audit.more")}
        </button>
      )}
    </section>
  );
}
