"""Regenerate the clients' code from the gateway's OpenAPI document:

- web/src/api/openapi.ts: the web app's types (every schema, every operation, the paths per method),
- sdk/python/jisik_sdk/models.py: the Python SDK's models.

Run after adding or changing a route or a schema:  .venv/bin/python scripts/openapi_clients.py
``--check`` exits 1 (naming the stale files) when they differ from what the gateway serves; the test
suite does the same check (tests/gateway/test_openapi_clients.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gateway.codegen import gateway_openapi
from gateway.codegen.python_models import render_python_models
from gateway.codegen.typescript import render_typescript

ROOT = Path(__file__).resolve().parents[1]
TYPESCRIPT = ROOT / "web" / "src" / "api" / "openapi.ts"
PYTHON_MODELS = ROOT / "sdk" / "python" / "jisik_sdk" / "models.py"


def rendered() -> dict[Path, str]:
    """Each generated file and the text it should have now."""
    document = gateway_openapi()
    return {TYPESCRIPT: render_typescript(document), PYTHON_MODELS: render_python_models(document)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a generated file is stale")
    args = parser.parse_args()
    stale = [path for path, text in rendered().items() if not path.is_file() or path.read_text() != text]
    if args.check:
        for path in stale:
            sys.stderr.write(f"stale: {path.relative_to(ROOT)} (run .venv/bin/python scripts/openapi_clients.py)\n")
        return 1 if stale else 0
    for path, text in rendered().items():
        if path in stale:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            sys.stdout.write(f"wrote {path.relative_to(ROOT)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
