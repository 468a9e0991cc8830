"""``python -m docreader``: run the docreader gRPC server with the process settings."""

from __future__ import annotations

import asyncio
import logging

from jisik.settings import get_settings

from .server import run


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    asyncio.run(run(get_settings()))


if __name__ == "__main__":
    main()
