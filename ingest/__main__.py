"""``python -m ingest [--stage parse --stage index ...]``: run ingest stages (default: all)."""

from __future__ import annotations

import argparse
import asyncio

from jisik.log_context import configure_logging
from jisik.pii.redaction import mask_root_log_handlers
from jisik.settings import get_settings
from jisik.telemetry import configure_tracing

from .server import run
from .topology import STAGES


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m ingest", description=__doc__)
    parser.add_argument("--stage", action="append", choices=[stage.name for stage in STAGES],
                        help="stage to run (repeatable); default: every stage")
    args = parser.parse_args()
    settings = get_settings()
    configure_logging("INFO")
    mask_root_log_handlers()
    configure_tracing("jisik-ingest", settings.telemetry)
    asyncio.run(run(settings, stages=args.stage))


if __name__ == "__main__":
    main()
