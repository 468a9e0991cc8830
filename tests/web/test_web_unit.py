"""The web app's own checks: the TypeScript build and the Vitest suite, run through npm."""

from __future__ import annotations

import re

import pytest

from tests.web.webapp import WEB, require_node, run_npm

pytestmark = pytest.mark.slow


class TestWebApp:
    def test_vitest_suite_passes(self) -> None:
        require_node()
        result = run_npm("test", timeout=280)
        assert re.search(r"Tests\s+\d+ passed", result.stdout), result.stdout[-2000:]

    def test_build_bundles_every_asset_locally(self) -> None:
        require_node()
        run_npm("run", "build", timeout=240)
        index = (WEB / "dist" / "index.html").read_text(encoding="utf-8")
        # Every script and stylesheet comes from the bundle, never from a CDN.
        references = re.findall(r'(?:src|href)="([^"]+)"', index)
        assert any(ref.startswith("/assets/") and ref.endswith(".js") for ref in references)
        assert not [ref for ref in references if re.match(r"(https?:)?//", ref)]
        bundle = "".join(path.read_text(encoding="utf-8") for path in (WEB / "dist" / "assets").glob("*.css"))
        assert "@import url(http" not in bundle
