"""Access lists in the web app, in real headless Chromium (web/e2e/run.mjs) against a real gateway that
serves the built app on a real database (no other service is needed to edit access lists)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jisik.runtime.tansu import EmbeddedTansu
from tests.gateway.gateway_testkit import RunningGateway, gateway_settings, running_gateway
from tests.web.webapp import CHROMIUM, WEB, require_node, run_npm

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def run_scenario(gateway_url: str, api_key: str, name: str, workdir: Path, **env: str) -> dict[str, Any]:
    """Runs one scenario of web/e2e/run.mjs; fails the test with its output when it fails."""
    environment = {**os.environ, "JISIK_GATEWAY_URL": gateway_url, "JISIK_API_KEY": api_key,
                   "JISIK_E2E_WORKDIR": str(workdir), **env}
    if shots := os.environ.get("JISIK_E2E_SCREENSHOTS"):
        environment["JISIK_E2E_SCREENSHOTS"] = str((WEB.parent / shots).resolve())
    result = subprocess.run(["node", "e2e/run.mjs", name], cwd=WEB, env=environment, capture_output=True, text=True,
                            timeout=240, check=False)
    if result.returncode != 0:
        pytest.fail(f"scenario {name} failed:\n{result.stderr[-5000:]}\n{result.stdout[-2000:]}", pytrace=False)
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["ok"] is True and report["problems"] == [], report["problems"]
    return report


@pytest.fixture(scope="module")
def built_web() -> Iterator[Path]:
    require_node()
    if not CHROMIUM.exists() or shutil.which("node") is None:
        pytest.skip("headless Chromium (Debian packages chromium, chromium-driver) is not installed")
    if not (WEB / "node_modules" / "playwright-core").is_dir():
        pytest.skip("web/node_modules lacks playwright-core; run npm ci in web/")
    if not (WEB / "dist" / "index.html").is_file():
        run_npm("run", "build")
    yield WEB / "dist"


@pytest.fixture(scope="module")
async def web_gateway(
    built_web: Path, module_database: str, kafka: EmbeddedTansu, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    settings = gateway_settings(module_database, tmp_path_factory.mktemp("web"), kafka_servers=kafka.bootstrap_servers)
    settings = settings.model_copy(update={"gateway": settings.gateway.model_copy(update={"web_dist": str(built_web)})})
    async with running_gateway(settings) as running:
        yield running


class TestAccessListsInTheBrowser:
    async def test_a_base_list_is_edited_saved_and_shown_again(self, web_gateway: RunningGateway,
                                                               tmp_path: Path) -> None:
        # In a thread: the gateway serves from this test's event loop meanwhile.
        report = await asyncio.to_thread(run_scenario, web_gateway.url, web_gateway.acme.api_key, "access-lists",
                                         tmp_path)
        assert "everyone" in report["before"]
        assert report["shown"] == ["group:hr", "user:kim"] == report["stored"]
        assert (tmp_path / "kb-access.png").stat().st_size > 0
