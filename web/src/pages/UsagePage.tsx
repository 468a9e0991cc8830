// Usage: this period's use per metric against the plan's limits, a daily chart, the projection to the end
// of the period, the estimated cost, and a banner once a soft threshold (50/80/100%) is crossed.
import { useCallback, useMemo, useState } from "react";
import { useApi } from "../api/context";
import type { MetricUsage, Usage, UsageThreshold } from "../api/types";
import { DailyUsageChart } from "../components/DailyUsageChart";
import { useI18n, type T } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { useLoad } from "../lib/useLoad";

function thisMonth(): string {
  return new Date().toISOString().slice(0, 7);
}

function metricName(t: T, metric: string): string {
  return t(`usage.metric.${metric}` as MessageKey);
}

function amount(value: number, metric: string): string {
  if (metric === "storage_bytes") {
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let scaled = value;
    let unit = 0;
    while (scaled >= 1024 && unit < units.length - 1) {
      scaled /= 1024;
      unit += 1;
    }
    return `${scaled.toLocaleString(undefined, { maximumFractionDigits: 1 })} ${units[unit]}`;
  }
  return value.toLocaleString();
}

function money(value: string, currency: string): string {
  return Number(value).toLocaleString(undefined, { style: "currency", currency, maximumFractionDigits: 2 });
}

/** The highest level crossed per metric, newest first. */
function highestCrossings(thresholds: UsageThreshold[]): UsageThreshold[] {
  const best = new Map<string, UsageThreshold>();
  for (const row of thresholds) {
    const seen = best.get(row.metric);
    if (!seen || row.level > seen.level) best.set(row.metric, row);
  }
  return [...best.values()].sort((a, b) => b.level - a.level);
}

function localeOf(lang: string): string {
  return lang === "ko" ? "ko-KR" : "en-US";
}

function ThresholdBanner({ usage }: { usage: Usage }) {
  const { t, lang } = useI18n();
  const crossings = highestCrossings(usage.thresholds);
  if (crossings.length === 0) return null;
  const resets = new Date(usage.period_end).toLocaleDateString(localeOf(lang), { timeZone: "UTC" });
  return (
    <div className={crossings[0].level >= 100 ? "banner danger" : "banner warning"} role="alert" data-testid="threshold-banner">
      {crossings.map((row) => (
        <p key={row.metric}>
          {t("usage.thresholdCrossed", {
            metric: metricName(t, row.metric),
            level: row.level,
            used: amount(row.used, row.metric),
            limit: amount(row.limit, row.metric),
            resets,
          })}
        </p>
      ))}
    </div>
  );
}

function MetricRow({ row, currency }: { row: MetricUsage; currency: string }) {
  const { t } = useI18n();
  const percent = row.percent ?? 0;
  return (
    <tr data-testid={`usage-row-${row.metric}`}>
      <td>{metricName(t, row.metric)}</td>
      <td className="num">{amount(row.used, row.metric)}</td>
      <td className="num">{row.limit === null ? t("usage.unlimited") : amount(row.limit, row.metric)}</td>
      <td>
        {row.limit !== null && (
          <div className="meter" title={`${percent}%`}>
            <div className={percent >= 100 ? "meter-fill over" : percent >= 80 ? "meter-fill high" : "meter-fill"} style={{ width: `${Math.min(100, percent)}%` }} />
            <span>{percent}%</span>
          </div>
        )}
      </td>
      <td className="num">{amount(row.projected, row.metric)}</td>
      <td className="num">{money(row.cost, currency)}</td>
    </tr>
  );
}

export function UsagePage() {
  const { api } = useApi();
  const { t, lang } = useI18n();
  const [period, setPeriod] = useState(thisMonth);
  const [metric, setMetric] = useState("pages_parsed");
  const usage = useLoad(() => api.usage(period), [api, period]);
  const data = usage.data;
  const points = useMemo(
    () => (data?.daily ?? []).map((day) => ({ date: day.date, value: Number(day[metric] ?? 0) })),
    [data, metric],
  );
  const selected = data?.metrics.find((row) => row.metric === metric);
  const labels = useMemo(
    () => ({ day: t("usage.chartDay"), daily: t("usage.chartDaily"), total: t("usage.chartTotal"), limit: t("usage.chartLimit") }),
    [t],
  );
  const formatDay = useCallback(
    (epochS: number) => new Date(epochS * 1000).toLocaleDateString(localeOf(lang), { month: "short", day: "numeric", timeZone: "UTC" }),
    [lang],
  );
  return (
    <div className="page" data-testid="usage-page">
      <h2>{t("usage.title")}</h2>
      <div className="toolbar">
        <label>
          {t("usage.period")}{" "}
          <input type="month" value={period} onChange={(event) => event.target.value && setPeriod(event.target.value)} data-testid="usage-period" />
        </label>
      </div>
      {usage.error && <p className="error">{usage.error}</p>}
      {data && (
        <>
          <ThresholdBanner usage={data} />
          <section className="card usage-summary" data-testid="usage-summary">
            <div>
              <small className="muted">{t("usage.plan")}</small>
              <strong data-testid="usage-plan">{data.plan.name}</strong>
            </div>
            <div>
              <small className="muted">{t("usage.cost")}</small>
              <strong data-testid="usage-cost">{money(data.cost, data.plan.currency)}</strong>
            </div>
            <div>
              <small className="muted">{t("usage.projectedCost")}</small>
              <strong>{money(data.projected_cost, data.plan.currency)}</strong>
            </div>
            <div>
              <small className="muted">{t("usage.resets")}</small>
              <strong>{new Date(data.period_end).toLocaleDateString(localeOf(lang), { timeZone: "UTC" })}</strong>
            </div>
          </section>
          <section className="card">
            <div className="toolbar">
              <h3>{t("usage.daily")}</h3>
              <select value={metric} onChange={(event) => setMetric(event.target.value)} data-testid="usage-metric">
                {data.metrics.map((row) => (
                  <option key={row.metric} value={row.metric}>
                    {metricName(t, row.metric)}
                  </option>
                ))}
              </select>
            </div>
            {points.length > 0 ? (
              <DailyUsageChart points={points} limit={selected?.limit ?? null} labels={labels} formatDay={formatDay} />
            ) : (
              <p className="muted">{t("usage.noUse")}</p>
            )}
          </section>
          <section className="card">
            <table className="docs" data-testid="usage-table">
              <thead>
                <tr>
                  <th>{t("usage.metric")}</th>
                  <th className="num">{t("usage.used")}</th>
                  <th className="num">{t("usage.limit")}</th>
                  <th>{t("usage.share")}</th>
                  <th className="num">{t("usage.projected")}</th>
                  <th className="num">{t("usage.costColumn")}</th>
                </tr>
              </thead>
              <tbody>
                {data.metrics.map((row) => (
                  <MetricRow key={row.metric} row={row} currency={data.plan.currency} />
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
    </div>
  );
}
