// Stream monitoring: documents finished per time slice, consumer lag with its status, top failure reasons.
import { useEffect } from "react";
import { useApi } from "../api/context";
import { ConsumerGroups } from "../components/ConsumerGroups";
import { useI18n } from "../i18n";
import { useLoad } from "../lib/useLoad";

const REFRESH_MS = 5000;

export function MonitorPage() {
  const { api } = useApi();
  const { t } = useI18n();
  const stream = useLoad(() => api.ingestStream(), [api]);
  const lag = useLoad(() => api.ingestLag(), [api]);
  useEffect(() => {
    const timer = window.setInterval(() => {
      void stream.reload();
      void lag.reload();
    }, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [stream.reload, lag.reload]);

  const slices = stream.data?.throughput ?? [];
  const peak = Math.max(1, ...slices.map((slice) => slice.completed + slice.failed));
  return (
    <div className="page">
      <h2>{t("monitor.title")}</h2>
      {(stream.error || lag.error) && <p className="error">{stream.error || lag.error}</p>}
      <section className="card">
        <h3>{t("monitor.throughput")}</h3>
        <div className="throughput" data-testid="throughput">
          {slices.map((slice) => (
            <div key={slice.start} className="throughput-slice" title={`${new Date(slice.start).toLocaleTimeString()}: ${slice.completed} / ${slice.failed}`}>
              <div className="bar failed" style={{ height: `${(100 * slice.failed) / peak}%` }} />
              <div className="bar completed" style={{ height: `${(100 * slice.completed) / peak}%` }} />
            </div>
          ))}
        </div>
        <p className="muted">
          {t("monitor.completed")}: {slices.reduce((sum, slice) => sum + slice.completed, 0)} · {t("monitor.failed")}:{" "}
          {slices.reduce((sum, slice) => sum + slice.failed, 0)}
        </p>
      </section>
      <section className="card">
        <h3>{t("monitor.lag")}</h3>
        <ConsumerGroups groups={lag.data?.consumer_groups} />
      </section>
      <section className="card">
        <h3>{t("monitor.failures")}</h3>
        <table className="docs" data-testid="top-failures">
          <tbody>
            {(stream.data?.top_failures ?? []).map((row) => (
              <tr key={row.reason}>
                <td>{row.reason}</td>
                <td className="num">{row.documents}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {stream.data && stream.data.top_failures.length === 0 && <p className="muted">{t("monitor.noFailures")}</p>}
      </section>
    </div>
  );
}
