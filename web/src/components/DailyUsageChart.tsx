// One metric's daily use in a period (bars), its running total and the plan's monthly limit (lines), drawn
// with uPlot (bundled from npm; nothing is fetched at run time).
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface DailyPoint {
  date: string; // YYYY-MM-DD
  value: number;
}

interface Props {
  points: DailyPoint[];
  limit: number | null;
  labels: { day: string; daily: string; total: string; limit: string };
  /** Formats a day (UTC midnight, epoch seconds) for the axis and the legend. */
  formatDay: (epochS: number) => string;
}

const HEIGHT = 240;

const DAY_S = 86_400;

export function DailyUsageChart({ points, limit, labels, formatDay }: Props) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const xs = points.map((point) => Date.parse(`${point.date}T00:00:00Z`) / 1000);
    const daily = points.map((point) => point.value);
    let running = 0;
    const totals = daily.map((value) => (running += value));
    const series: uPlot.Series[] = [
      { label: labels.day, value: (_, epochS) => (epochS == null ? "--" : formatDay(epochS)) },
      { label: labels.daily, stroke: "#3b6fd8", fill: "rgba(59,111,216,0.35)", paths: uPlot.paths.bars!({ size: [0.6, 40] }) },
      { label: labels.total, stroke: "#1f9d6b", width: 2 },
    ];
    const data: uPlot.AlignedData = [xs, daily, totals];
    if (limit !== null) {
      series.push({ label: labels.limit, stroke: "#d64545", dash: [6, 4], width: 1.5 });
      data.push(xs.map(() => limit));
    }
    const chart = new uPlot(
      {
        width: Math.max(320, element.clientWidth),
        height: HEIGHT,
        series,
        // One tick per day (or week), half a day of room either side so the first and last bars show whole.
        scales: { x: { time: true, range: (_, min, max) => [min - DAY_S / 2, max + DAY_S / 2] } },
        axes: [{ incrs: [DAY_S, 7 * DAY_S], values: (_, ticks) => ticks.map(formatDay) }, {}],
        legend: { show: true },
      },
      data,
      element,
    );
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(320, element.clientWidth), height: HEIGHT }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [points, limit, labels.day, labels.daily, labels.total, labels.limit, formatDay]);
  return <div ref={box} className="usage-chart" data-testid="usage-chart" />;
}
