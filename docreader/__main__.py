"""``python -m docreader``: run the docreader gRPC server with the process settings."""

from __future__ import annotations

import asyncio

from jisik.log_context import configure_logging
from jisik.pii.redaction import mask_root_log_handlers
from jisik.settings import get_settings

from .server import run


def main() -> None:
    configure_logging("INFO")
    mask_root_log_handlers()
    asyncio.run(run(get_settings()))


if __name__ == "__main__":
    main()
