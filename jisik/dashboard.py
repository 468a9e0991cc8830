"""The Grafana dashboard for jisik, generated from the panel list below.

``python -m jisik.dashboard`` writes ``docs/monitoring/grafana/dashboards/jisik.json``, which compose's
Grafana provisions; ``--check`` only compares. Each panel's PromQL names metrics that jisik processes
really export (tests/platform/test_dashboard.py scrapes a running stack to check that, and lets
``promtool`` parse every expression).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["DASHBOARD_PATH", "ROWS", "Panel", "Row", "Target", "expressions", "main", "render", "rendered_text"]

DASHBOARD_PATH = Path(__file__).resolve().parents[1] / "docs" / "monitoring" / "grafana" / "dashboards" / "jisik.json"
DATASOURCE = {"type": "prometheus", "uid": "prometheus"}
WINDOW = "5m"


@dataclass(frozen=True)
class Target:
    expr: str
    legend: str


@dataclass(frozen=True)
class Panel:
    """One chart (``timeseries``) or single figure (``stat``); ``unit`` is a Grafana unit id."""

    title: str
    targets: tuple[Target, ...]
    unit: str = "short"
    kind: str = "timeseries"
    description: str = ""
    width: int = 8


@dataclass(frozen=True)
class Row:
    title: str
    panels: tuple[Panel, ...] = field(default_factory=tuple)


def _rate(metric: str, by: str = "", where: str = "") -> str:
    selector = f"{metric}{{{where}}}" if where else metric
    grouping = f" by ({by}) " if by else ""
    return f"sum{grouping}(rate({selector}[{WINDOW}]))"


def _p95(histogram: str, by: str) -> str:
    return f"histogram_quantile(0.95, sum by (le, {by}) (rate({histogram}_bucket[{WINDOW}])))"


def _top(count: int, expr: str) -> str:
    return f"topk({count}, {expr})"


ROWS: tuple[Row, ...] = (
    Row("Gateway (HTTP)", (
        Panel("Requests per second by status", (Target(_rate("jisik_http_requests_total", "code"), "{{code}}"),),
              "reqps"),
        Panel("Server error ratio", (Target(
            _rate("jisik_http_requests_total", where='code=~"5.."')
            + f' / clamp_min({_rate("jisik_http_requests_total")}, 1e-9)', "5xx"),), "percentunit",
            description="Share of gateway answers with a 5xx status; the JisikHttpErrorRate alert fires above 5%"),
        Panel("p95 latency by route (slowest 5)", (Target(
            _top(5, _p95("jisik_http_request_duration_seconds", "route")), "{{route}}"),), "s"),
    )),
    Row("Services (gRPC)", (
        Panel("Calls per second by method", (Target(_rate("jisik_rpc_requests_total", "method"), "{{method}}"),),
              "reqps"),
        Panel("Failed calls per second by status", (Target(
            _rate("jisik_rpc_requests_total", "method, code", 'code!="OK"'), "{{method}} {{code}}"),), "reqps"),
        Panel("p95 latency by method", (Target(_p95("jisik_rpc_request_duration_seconds", "method"), "{{method}}"),),
              "s"),
    )),
    Row("Ingest stream", (
        Panel("Throughput by stage and outcome", (Target(
            _rate("jisik_ingest_records_total", "stage, outcome"), "{{stage}} {{outcome}}"),), "ops"),
        Panel("p95 processing time by stage", (Target(
            _p95("jisik_ingest_processing_duration_seconds", "stage"), "{{stage}}"),), "s"),
        Panel("Top failure reasons (documents given up, last hour)", (Target(
            _top(5, "sum by (stage, reason) (increase(jisik_ingest_documents_failed_total[1h]))"),
            "{{stage}} {{reason}}"),), "short", kind="bargauge"),
        Panel("Consumer lag (records)", (Target(
            "sum by (group) (jisik_ingest_consumer_lag_records)", "{{group}}"),), "short"),
        Panel("Consumer lag (seconds, oldest record)", (Target(
            "max by (group) (jisik_ingest_consumer_lag_seconds)", "{{group}}"),), "s",
            description="Estimated from offset/time samples, as kafka-lag-exporter does"),
        Panel("Consumer group status (0 OK, 1 WARN, 2 STALL, 3 STOP)", (Target(
            "max by (group) (jisik_ingest_consumer_group_status)", "{{group}}"),), "short", kind="stat"),
        Panel("Failed tries by reason", (Target(
            _rate("jisik_ingest_try_failures_total", "stage, reason"), "{{stage}} {{reason}}"),), "ops"),
    )),
    Row("Change data capture", (
        Panel("Records published per second", (Target(_rate("jisik_cdc_records_published_total"), "published"),),
              "ops"),
        Panel("p95 commit-to-publish time", (Target(
            "histogram_quantile(0.95, sum by (le) (rate(jisik_cdc_commit_to_publish_seconds_bucket"
            f"[{WINDOW}])))", "p95"),), "s"),
        Panel("Replication slot lag", (Target("max(jisik_cdc_slot_lag_bytes)", "slot"),), "bytes",
              description="WAL the slot holds back; the JisikCdcSlotLag alert fires above 1 GiB"),
    )),
    Row("Model service", (
        Panel("Chat tokens per second", (Target(
            _rate("jisik_model_chat_tokens_total", "source, kind"), "{{source}} {{kind}}"),), "short"),
        Panel("p95 time to first token", (Target(
            _p95("jisik_model_chat_first_token_seconds", "source"), "{{source}}"),), "s"),
    )),
    Row("Webhooks", (
        Panel("Delivery attempts per second by result", (Target(
            _rate("jisik_webhook_attempts_total", "result, code_class"), "{{result}} {{code_class}}"),), "ops"),
        Panel("p95 attempt time", (Target(
            "histogram_quantile(0.95, sum by (le) (rate(jisik_webhook_attempt_duration_seconds_bucket"
            f"[{WINDOW}])))", "p95"),), "s"),
        Panel("Messages given up and endpoints disabled (last hour)", (
            Target("sum(increase(jisik_webhook_messages_given_up_total[1h]))", "messages given up"),
            Target("sum by (reason) (increase(jisik_webhook_endpoints_disabled_total[1h]))",
                   "endpoints disabled ({{reason}})"),
        ), "short"),
    )),
    Row("Billing", (
        Panel("p95 window delay (usage record to billing_usage)", (Target(
            "histogram_quantile(0.95, sum by (le) (rate(jisik_billing_window_delay_seconds_bucket"
            f"[{WINDOW}])))", "p95"),), "s"),
        Panel("Usage records counted and dropped late per second", (
            Target(_rate("jisik_billing_usage_records_total"), "counted"),
            Target(_rate("jisik_billing_late_records_total"), "late (period final)"),
        ), "ops"),
        Panel("Thresholds crossed (last day)", (Target(
            "sum by (level) (increase(jisik_billing_thresholds_fired_total[1d]))", "{{level}}"),), "short"),
    )),
    Row("Processes", (
        Panel("Scrape targets up", (Target("up", "{{job}} {{instance}}"),), "short"),
        Panel("Resident memory", (Target("process_resident_memory_bytes", "{{instance}}"),), "bytes"),
        Panel("CPU seconds per second", (Target(
            f"rate(process_cpu_seconds_total[{WINDOW}])", "{{instance}}"),), "short"),
    )),
)


def expressions() -> list[str]:
    """Every PromQL expression the dashboard runs."""
    return [target.expr for row in ROWS for panel in row.panels for target in panel.targets]


def _panel_json(panel: Panel, panel_id: int, x: int, y: int) -> dict[str, Any]:
    return {
        "id": panel_id,
        "type": panel.kind,
        "title": panel.title,
        "description": panel.description,
        "datasource": DATASOURCE,
        "gridPos": {"h": 8, "w": panel.width, "x": x, "y": y},
        "fieldConfig": {"defaults": {"unit": panel.unit}, "overrides": []},
        "options": {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True}},
        "targets": [
            {"refId": chr(ord("A") + index), "datasource": DATASOURCE, "expr": target.expr,
             "legendFormat": target.legend}
            for index, target in enumerate(panel.targets)
        ],
    }


def render() -> dict[str, Any]:
    """The dashboard as Grafana's JSON model: a row per area, panels laid out left to right."""
    panels: list[dict[str, Any]] = []
    y = 0
    for row in ROWS:
        panels.append({"id": len(panels) + 1, "type": "row", "title": row.title, "collapsed": False,
                       "gridPos": {"h": 1, "w": 24, "x": 0, "y": y}, "panels": []})
        y += 1
        x = 0
        for panel in row.panels:
            if x + panel.width > 24:
                x, y = 0, y + 8
            panels.append(_panel_json(panel, len(panels) + 1, x, y))
            x += panel.width
        y += 8
    return {
        "uid": "jisik-overview",
        "title": "jisik",
        "tags": ["jisik"],
        "timezone": "utc",
        "refresh": "30s",
        "schemaVersion": 39,
        "version": 1,
        "editable": False,
        "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": []},
        "annotations": {"list": []},
        "panels": panels,
    }


def rendered_text() -> str:
    return json.dumps(render(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="fail when the committed JSON is out of date")
    args = parser.parse_args(argv)
    text = rendered_text()
    if args.check:
        current = DASHBOARD_PATH.read_text() if DASHBOARD_PATH.exists() else ""
        if current != text:
            sys.stderr.write(f"{DASHBOARD_PATH} is out of date: run python -m jisik.dashboard\n")
            return 1
        return 0
    DASHBOARD_PATH.parent.mkdir(parents=True, exist_ok=True)
    DASHBOARD_PATH.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
