// Webhook endpoints of the tenant: add one (its secret is shown once), switch it on or off, rotate the
// secret, delete it; and each endpoint's delivery log with replay of one delivery or a time range.
import { ArrowLeft } from "lucide-react";
import { useState, type FormEvent } from "react";
import { useApi } from "../api/context";
import type { DeliveryPublic, EndpointCreated, EndpointPublic } from "../api/openapi";
import { useI18n } from "../i18n";
import { useLoad } from "../lib/useLoad";

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function SecretOnce({ created, onDone }: { created: EndpointCreated; onDone: () => void }) {
  const { t, lang } = useI18n();
  const until = created.previous_secret_expires_at;
  return (
    <div className="card notice" data-testid="webhook-secret">
      <strong>{t("webhooks.secretOnce")}</strong>
      <p>
        {t("webhooks.secret")}: <code data-testid="webhook-secret-value">{created.secret}</code>
      </p>
      {until && <p className="small">{t("webhooks.secretRotated", { time: new Date(until).toLocaleString(lang) })}</p>}
      <button type="button" onClick={onDone} data-testid="webhook-secret-done">
        {t("webhooks.dismiss")}
      </button>
    </div>
  );
}

function CreateForm({ eventTypes, onCreated }: { eventTypes: string[]; onCreated: (created: EndpointCreated) => void }) {
  const { api } = useApi();
  const { t } = useI18n();
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [chosen, setChosen] = useState<string[]>(["document.validated", "rag.answer.ready"]);
  const [error, setError] = useState("");
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      onCreated(await api.createWebhook({ url, description, event_types: chosen, enabled: true }));
      setUrl("");
      setDescription("");
      setError("");
    } catch (e) {
      setError(errorText(e));
    }
  };
  const toggle = (name: string) => setChosen((now) => (now.includes(name) ? now.filter((n) => n !== name) : [...now, name]));
  return (
    <form className="card form" onSubmit={submit} data-testid="webhook-create">
      <label>
        {t("webhooks.url")}
        <input value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://example.com/jisik-events" required data-testid="webhook-url" />
      </label>
      <label>
        {t("webhooks.description")}
        <input value={description} onChange={(e) => setDescription(e.target.value)} maxLength={500} />
      </label>
      <fieldset className="row wrap">
        <legend>{t("webhooks.events")}</legend>
        {eventTypes.map((name) => (
          <label key={name} className="event-choice">
            <input type="checkbox" checked={chosen.includes(name)} onChange={() => toggle(name)} data-testid={`webhook-event-${name}`} />
            <code>{name}</code>
          </label>
        ))}
      </fieldset>
      {error && <p className="error" data-testid="webhook-error">{error}</p>}
      <div>
        <button type="submit" data-testid="webhook-submit">
          {t("webhooks.create")}
        </button>
      </div>
    </form>
  );
}

function EndpointRow({ endpoint, onChanged, onSecret }: { endpoint: EndpointPublic; onChanged: () => void; onSecret: (c: EndpointCreated) => void }) {
  const { api } = useApi();
  const { t, lang } = useI18n();
  const [error, setError] = useState("");
  const act = async (work: () => Promise<unknown>) => {
    try {
      await work();
      setError("");
      onChanged();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <tr data-testid="webhook-row" data-url={endpoint.url}>
      <td>
        <div className="mono">{endpoint.url}</div>
        {endpoint.description && <div className="muted small">{endpoint.description}</div>}
        {endpoint.disabled_reason && <div className="error small">{t("webhooks.disabledBecause", { reason: endpoint.disabled_reason })}</div>}
        {endpoint.failing_since && <div className="warn small">{t("webhooks.failingSince", { time: new Date(endpoint.failing_since).toLocaleString(lang) })}</div>}
        {error && <div className="error small">{error}</div>}
      </td>
      <td>
        {endpoint.event_types.map((name) => (
          <code key={name} className="badge">
            {name}
          </code>
        ))}
      </td>
      <td>
        <span className={endpoint.enabled ? "badge status-completed" : "badge status-draft"} data-testid="webhook-state">
          {endpoint.enabled ? t("webhooks.enabled") : t("webhooks.disabled")}
        </span>
        <div className="muted small mono">{endpoint.secret_prefix}…</div>
      </td>
      <td className="row wrap">
        <a className="button" href={`#/webhooks/${endpoint.id}`} data-testid="webhook-open">
          {t("webhooks.open")}
        </a>
        <button type="button" className="ghost" onClick={() => act(() => api.updateWebhook(endpoint.id, { enabled: !endpoint.enabled }))} data-testid="webhook-toggle">
          {endpoint.enabled ? t("webhooks.disable") : t("webhooks.enable")}
        </button>
        <button type="button" className="ghost" onClick={() => act(async () => onSecret(await api.rotateWebhookSecret(endpoint.id)))} data-testid="webhook-rotate">
          {t("webhooks.rotate")}
        </button>
        <button
          type="button"
          className="ghost danger"
          onClick={() => window.confirm(t("webhooks.confirmDelete")) && act(() => api.deleteWebhook(endpoint.id))}
          data-testid="webhook-delete"
        >
          {t("webhooks.delete")}
        </button>
      </td>
    </tr>
  );
}

function EndpointList() {
  const { api } = useApi();
  const { t } = useI18n();
  const endpoints = useLoad(() => api.listWebhooks(), [api]);
  const eventTypes = useLoad(() => api.webhookEventTypes(), [api]);
  const [secret, setSecret] = useState<EndpointCreated>();
  const shown = (created: EndpointCreated) => {
    setSecret(created);
    void endpoints.reload();
  };
  return (
    <div className="page" data-testid="webhooks-page">
      <h1>{t("webhooks.title")}</h1>
      <p className="muted">{t("webhooks.intro")}</p>
      {secret && <SecretOnce created={secret} onDone={() => setSecret(undefined)} />}
      <CreateForm eventTypes={(eventTypes.data ?? []).map((entry) => entry.type)} onCreated={shown} />
      {endpoints.error && <p className="error">{endpoints.error}</p>}
      {endpoints.data?.length === 0 && <p className="muted">{t("webhooks.empty")}</p>}
      {!!endpoints.data?.length && (
        <table className="docs">
          <thead>
            <tr>
              <th>{t("webhooks.url")}</th>
              <th>{t("webhooks.events")}</th>
              <th>{t("webhooks.status")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {endpoints.data.map((endpoint) => (
              <EndpointRow key={endpoint.id} endpoint={endpoint} onChanged={() => void endpoints.reload()} onSecret={shown} />
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function DeliveryRow({ delivery, onReplay }: { delivery: DeliveryPublic; onReplay: () => void }) {
  const { t, lang } = useI18n();
  const [open, setOpen] = useState(false);
  const last = delivery.attempt_log[0];
  const tone = delivery.status === "succeeded" ? "status-completed" : delivery.status === "failed" ? "status-failed" : "";
  return (
    <>
      <tr data-testid="delivery-row" data-status={delivery.status} onClick={() => setOpen(!open)} className="clickable">
        <td>
          <code>{delivery.event_type}</code>
          <div className="muted small mono">{delivery.event_id}</div>
        </td>
        <td>
          <span className={`badge ${tone}`}>{t(`webhooks.status.${delivery.status}` as "webhooks.status.pending")}</span>
        </td>
        <td className="num">{delivery.attempts}</td>
        <td className="num" data-testid="delivery-code">{delivery.last_response_code ?? "–"}</td>
        <td className="num">{last ? `${Math.round(last.latency_ms)} ms` : "–"}</td>
        <td>{new Date(delivery.created_at).toLocaleString(lang)}</td>
        <td>
          <button
            type="button"
            className="ghost"
            onClick={(e) => {
              e.stopPropagation();
              onReplay();
            }}
            data-testid="delivery-replay"
          >
            {t("webhooks.replay")}
          </button>
        </td>
      </tr>
      {open && (
        <tr data-testid="delivery-attempts">
          <td colSpan={7}>
            <strong>{t("webhooks.attemptLog")}</strong>
            <ul className="plain">
              {delivery.attempt_log.map((attempt) => (
                <li key={attempt.attempted_at}>
                  {new Date(attempt.attempted_at).toLocaleString(lang)} · {attempt.result} · {attempt.response_code ?? "–"} ·{" "}
                  {Math.round(attempt.latency_ms)} ms {attempt.error && <span className="error">· {attempt.error}</span>}
                  {attempt.response_body && (
                    <pre className="small" title={t("webhooks.response")}>
                      {attempt.response_body}
                    </pre>
                  )}
                </li>
              ))}
            </ul>
            <pre className="small">{JSON.stringify(delivery.payload, null, 2)}</pre>
          </td>
        </tr>
      )}
    </>
  );
}

function localInput(date: Date): string {
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return shifted.toISOString().slice(0, 16);
}

function DeliveryLog({ endpointId }: { endpointId: string }) {
  const { api } = useApi();
  const { t } = useI18n();
  const deliveries = useLoad(() => api.listDeliveries(endpointId), [api, endpointId]);
  const [message, setMessage] = useState("");
  const [since, setSince] = useState(() => localInput(new Date(Date.now() - 24 * 3600_000)));
  const [until, setUntil] = useState(() => localInput(new Date(Date.now() + 60_000)));
  const [onlyFailed, setOnlyFailed] = useState(true);
  const replay = async (work: () => Promise<{ queued: number }>) => {
    try {
      const { queued } = await work();
      setMessage(t("webhooks.replayed", { count: queued }));
      await deliveries.reload();
    } catch (e) {
      setMessage(errorText(e));
    }
  };
  return (
    <div className="page" data-testid="webhook-deliveries">
      <a className="back" href="#/webhooks">
        <ArrowLeft size={14} /> {t("webhooks.back")}
      </a>
      <h1>{t("webhooks.deliveries")}</h1>
      <form
        className="card row wrap"
        onSubmit={(e) => {
          e.preventDefault();
          void replay(() => api.replayRange(endpointId, new Date(since).toISOString(), new Date(until).toISOString(), onlyFailed));
        }}
      >
        <strong>{t("webhooks.replayRange")}</strong>
        <label>
          {t("webhooks.since")} <input type="datetime-local" value={since} onChange={(e) => setSince(e.target.value)} />
        </label>
        <label>
          {t("webhooks.until")} <input type="datetime-local" value={until} onChange={(e) => setUntil(e.target.value)} />
        </label>
        <label className="row">
          <input type="checkbox" checked={onlyFailed} onChange={(e) => setOnlyFailed(e.target.checked)} /> {t("webhooks.onlyFailed")}
        </label>
        <button type="submit" data-testid="replay-range">
          {t("webhooks.replay")}
        </button>
      </form>
      {message && <p className="notice" data-testid="replay-message">{message}</p>}
      {deliveries.error && <p className="error">{deliveries.error}</p>}
      {deliveries.data?.items.length === 0 && <p className="muted">{t("webhooks.noDeliveries")}</p>}
      {!!deliveries.data?.items.length && (
        <table className="docs">
          <thead>
            <tr>
              <th>{t("webhooks.event")}</th>
              <th>{t("webhooks.status")}</th>
              <th className="num">{t("webhooks.attempts")}</th>
              <th className="num">{t("webhooks.code")}</th>
              <th className="num">{t("webhooks.latency")}</th>
              <th>{t("webhooks.created")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {deliveries.data.items.map((delivery) => (
              <DeliveryRow key={delivery.id} delivery={delivery} onReplay={() => void replay(() => api.replayDelivery(endpointId, delivery.id))} />
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function WebhooksPage({ endpointId }: { endpointId?: string }) {
  return endpointId ? <DeliveryLog key={endpointId} endpointId={endpointId} /> : <EndpointList />;
}
