"""``python -m cdc.flink [--bootstrap HOST:PORT] [--out DIR]``: render the jobs for sql-client."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .jobs import COMPOSE_BOOTSTRAP, write_rendered


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m cdc.flink", description=__doc__)
    parser.add_argument("--bootstrap", default=COMPOSE_BOOTSTRAP, help="Kafka bootstrap servers")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent, help="directory to write into")
    args = parser.parse_args()
    for path in write_rendered(args.out, args.bootstrap):
        sys.stdout.write(f"{path}\n")


if __name__ == "__main__":
    main()
