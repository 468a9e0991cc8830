"""The Grafana dashboard: the committed JSON is what jisik.dashboard generates, every PromQL expression
parses (promtool), names only metrics that the running processes export (the alert rules too), and every
jisik metric that a process exports is on some panel."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from jisik import dashboard
from jisik.runtime.services import SERVICES
from tests.stack import EmbeddedStack

# Series Prometheus adds to every scrape itself rather than reading them from a target.
SYNTHETIC = {"up", "scrape_duration_seconds", "scrape_samples_scraped"}
SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "gaugehistogram": ("_bucket", "_gcount", "_gsum"),
    "summary": ("", "_count", "_sum", "_created"),
    "gauge": ("",),
    "info": ("_info",),
    "stateset": ("",),
    "unknown": ("",),
}
METRIC_NAME = re.compile(r"\b((?:jisik|process)_[a-z0-9_]+)\b")


def exported_series(text: str) -> tuple[set[str], set[str]]:
    """(family names, every series name those families can have) of one scrape."""
    families, series = set(), set()
    for family in text_string_to_metric_families(text):
        if family.name.endswith("_created"):  # the text format's creation times read as gauges of their own
            continue
        families.add(family.name)
        series |= {family.name + suffix for suffix in SUFFIXES[family.type]}
    return families, series


@pytest.fixture(scope="module")
def scraped(embedded_stack: EmbeddedStack) -> tuple[set[str], set[str]]:
    """Family and series names from the gateway and from every service's metrics port."""
    urls = [f"{embedded_stack.gateway_url}/metrics"]
    urls += [f"http://127.0.0.1:{embedded_stack.settings.metrics.port_for(spec.name)}/metrics"
             for spec in SERVICES if spec.name != "gateway"]
    families: set[str] = set()
    series: set[str] = set()
    for url in urls:
        response = httpx.get(url, timeout=30)
        assert response.status_code == 200, url
        found_families, found_series = exported_series(response.text)
        families |= found_families
        series |= found_series
    return families, series


def test_committed_dashboard_is_generated() -> None:
    assert dashboard.DASHBOARD_PATH.read_text() == dashboard.rendered_text(), "run: python -m jisik.dashboard"
    assert dashboard.main(["--check"]) == 0


def test_layout_is_valid_grafana_model() -> None:
    model = json.loads(dashboard.rendered_text())
    ids = [panel["id"] for panel in model["panels"]]
    assert len(ids) == len(set(ids))
    occupied: set[tuple[int, int]] = set()
    for panel in model["panels"]:
        grid = panel["gridPos"]
        assert 0 <= grid["x"] and grid["x"] + grid["w"] <= 24, panel["title"]
        cells = {(x, y) for x in range(grid["x"], grid["x"] + grid["w"]) for y in range(grid["y"], grid["y"] + grid["h"])}
        assert not cells & occupied, f"{panel['title']} overlaps another panel"
        occupied |= cells
        if panel["type"] != "row":
            assert panel["targets"] and all(target["expr"] for target in panel["targets"])
            assert panel["datasource"]["uid"] == "prometheus"


def test_provisioned_datasource_is_the_one_the_panels_use() -> None:
    provisioning = dashboard.DASHBOARD_PATH.parents[1] / "provisioning"
    sources = yaml.safe_load((provisioning / "datasources" / "prometheus.yml").read_text())["datasources"]
    assert [(source["uid"], source["type"]) for source in sources] == [("prometheus", "prometheus")]
    providers = yaml.safe_load((provisioning / "dashboards" / "jisik.yml").read_text())["providers"]
    assert [provider["options"]["path"] for provider in providers] == ["/var/lib/grafana/dashboards"]


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool (Debian package prometheus) is not installed")
def test_promtool_parses_every_expression(tmp_path: Path) -> None:
    rules = {"groups": [{"name": "dashboard", "rules": [
        {"record": f"jisik:dashboard_panel_{index}", "expr": expr} for index, expr in enumerate(dashboard.expressions())
    ]}]}
    path = tmp_path / "dashboard_rules.yml"
    path.write_text(yaml.safe_dump(rules))
    result = subprocess.run(["promtool", "check", "rules", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_rejects_a_broken_expression(tmp_path: Path) -> None:
    """The check above would notice a typo: promtool refuses an expression that does not parse."""
    if shutil.which("promtool") is None:
        pytest.skip("promtool (Debian package prometheus) is not installed")
    path = tmp_path / "broken.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "x", "rules": [
        {"record": "jisik:broken", "expr": "sum by (le (rate(jisik_http_requests_total[5m]))"}]}]}))
    result = subprocess.run(["promtool", "check", "rules", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0


def test_every_expression_names_exported_metrics(scraped: tuple[set[str], set[str]]) -> None:
    _families, series = scraped
    for expr in dashboard.expressions():
        names = set(METRIC_NAME.findall(expr)) | ({"up"} if re.fullmatch(r"up\b.*", expr) else set())
        assert names, expr
        missing = names - series - SYNTHETIC
        assert not missing, f"{expr} names metrics no process exports: {sorted(missing)}"


def test_alert_rules_name_exported_metrics(scraped: tuple[set[str], set[str]]) -> None:
    rules = yaml.safe_load((dashboard.DASHBOARD_PATH.parents[2] / "alerts.yml").read_text())
    for rule in (rule for group in rules["groups"] for rule in group["rules"]):
        names = set(METRIC_NAME.findall(rule["expr"]))
        assert names, rule["alert"]
        assert not names - scraped[1], f"{rule['alert']} names metrics no process exports: {sorted(names - scraped[1])}"


def test_every_jisik_metric_is_on_the_dashboard(scraped: tuple[set[str], set[str]]) -> None:
    families, _series = scraped
    shown = " ".join(dashboard.expressions())
    absent = sorted(family for family in families if family.startswith("jisik_") and family not in shown)
    assert not absent, f"metrics exported but on no panel (add one in jisik/dashboard.py): {absent}"
