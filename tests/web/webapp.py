"""Helpers for the web app tests: where the app lives and how to run npm and node in it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

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
