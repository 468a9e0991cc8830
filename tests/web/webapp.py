"""Helpers for the web app tests: where the app lives and how to run npm and node in it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

WEB = Path(__file__).resolve().parents[2] / "web"
CHROMIUM = Path("/usr/bin/chromium")


def require_node() -> None:
    """Skip (with the reason) when node/npm are missing; install node_modules when they are absent."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed; the web app needs Node 20+")
    if not (WEB / "node_modules").is_dir():
        run_npm("ci", "--no-audit", "--no-fund", timeout=240)


def require_browser() -> None:
    """Skip (with the reason) unless node, the system Chromium and playwright-core are there."""
    require_node()
    if not CHROMIUM.exists():
        pytest.skip("headless Chromium (Debian packages chromium, chromium-driver) is not installed")
    if not (WEB / "node_modules" / "playwright-core").is_dir():
        pytest.skip("web/node_modules lacks playwright-core; run npm ci in web/")


def run_npm(*args: str, timeout: float = 240, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Runs npm in web/ and fails the test with its output when it fails."""
    result = subprocess.run(
        ["npm", *args],
        cwd=WEB,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "CI": "true", "NO_COLOR": "1", **(env or {})},
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"npm {' '.join(args)} failed ({result.returncode}):\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}")
    return result


def run_scenario(gateway_url: str, api_key: str, name: str, workdir: Path, timeout: float = 240,
                 **env: str) -> dict[str, Any]:
    """Runs one scenario of web/e2e/run.mjs and returns its report; fails the test with its output when it
    fails or when the browser saw a problem (page error, failed request)."""
    environment = {**os.environ, "JISIK_GATEWAY_URL": gateway_url, "JISIK_API_KEY": api_key,
                   "JISIK_E2E_WORKDIR": str(workdir), **env}
    if shots := os.environ.get("JISIK_E2E_SCREENSHOTS"):
        # Relative to the repository root, not to web/ where node runs.
        environment["JISIK_E2E_SCREENSHOTS"] = str((WEB.parent / shots).resolve())
    result = subprocess.run(["node", "e2e/run.mjs", name], cwd=WEB, env=environment, capture_output=True, text=True,
                            timeout=timeout, check=False)
    if result.returncode != 0:
        pytest.fail(f"scenario {name} failed:\n{result.stderr[-5000:]}\n{result.stdout[-2000:]}", pytrace=False)
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["ok"] is True and report["problems"] == [], report["problems"]
    return report
