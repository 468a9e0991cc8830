import type { VersionPublic } from "../api/openapi";
import { useI18n } from "../i18n";
import { jobKindKey } from "./TrainingJobs";

const COLUMNS = ["r@1", "r@5", "mrr@10", "ndcg@10"];

type Runs = Record<string, Record<string, number>>;

/** The metric runs of a version (vector, hybrid, reranked ...): the object-valued entries of its metrics. */
function runsOf(metrics: Record<string, unknown>): Runs {
  return Object.fromEntries(
    Object.entries(metrics).filter(([, value]) => value !== null && typeof value === "object"),
  ) as Runs;
}

const fixed = (value: number | undefined) => (typeof value === "number" ? value.toFixed(3) : "–");

/** Held-out metrics of one version beside the champion's on the same data. */
function MetricsTable({ version }: { version: VersionPublic }) {
  const { t } = useI18n();
  const runs = runsOf(version.metrics);
  const before = runsOf(version.champion_metrics);
  const against = String(version.champion_metrics.name ?? "");
  return (
    <table className="metrics" data-testid="version-metrics">
      <thead>
        <tr>
          <th>{t("models.run")}</th>
          {COLUMNS.map((name) => (
            <th key={name} className="num">{name.toUpperCase()}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {Object.entries(runs).map(([run, values]) => (
          <tr key={run} data-run={run}>
            <td>{run}</td>
            {COLUMNS.map((name) => (
              <td key={name} className="num" title={against ? `${against}: ${fixed(before[run]?.[name])}` : undefined}>
                {fixed(values[name])}
                {before[run]?.[name] !== undefined && <span className="muted small"> ({fixed(before[run][name])})</span>}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The tenant's registered versions, newest first: aliases, held-out metrics and online signals. */
export function ModelVersions({ versions }: { versions: VersionPublic[] }) {
  const { t } = useI18n();
  if (versions.length === 0) return <p className="muted" data-testid="versions-empty">{t("models.noVersions")}</p>;
  return (
    <div className="versions">
      {versions.map((version) => (
        <section key={version.id} className="card" data-testid="model-version" data-version={version.version} data-aliases={version.aliases.join(",")} data-kind={version.kind}>
          <header className="row">
            <strong>v{version.version}</strong>
            <span className="badge subtle" data-testid="version-kind">{t(jobKindKey(version.kind))}</span>
            {version.aliases.map((alias) => (
              <span key={alias} className={`badge ${alias}`}>{t(alias === "champion" ? "models.champion" : "models.challenger")}</span>
            ))}
            <span className="muted small grow">
              {t("models.trainedIn", { s: version.training_s.toFixed(1) })} · {new Date(version.created_at).toLocaleString()} ·{" "}
              <code title={version.artifact_sha256}>{version.artifact_sha256.slice(0, 12)}</code>
            </span>
          </header>
          <MetricsTable version={version} />
          <p className="muted small">
            {t("models.against", { name: String(version.champion_metrics.name ?? "base"), n: Number(version.metrics.held_out ?? 0) })}
            {" · "}
            {t("models.signals", {
              answers: version.signals.answers ?? 0,
              noAnswer: ((version.signals.no_answer_rate ?? 0) * 100).toFixed(0),
              p95: Math.round(version.signals.latency_p95_ms ?? 0),
              down: ((version.signals.thumbs_down_rate ?? 0) * 100).toFixed(0),
            })}
          </p>
        </section>
      ))}
    </div>
  );
}
