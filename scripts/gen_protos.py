"""Regenerate jisik/proto/*_pb2*.py from proto/*.proto.

``--check`` regenerates into a temporary folder and fails when the committed stubs differ.
"""

from __future__ import annotations

import argparse
import filecmp
import re
import sys
import tempfile
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTO_DIR = ROOT / "proto"
OUT_DIR = ROOT / "jisik" / "proto"


def generate(out_dir: Path) -> list[Path]:
    protos = sorted(PROTO_DIR.glob("*.proto"))
    include = Path(protoc.__file__).parent / "_proto"
    for proto in protos:
        code = protoc.main([
            "grpc_tools.protoc", f"-I{PROTO_DIR}", f"-I{include}", f"--python_out={out_dir}",
            f"--pyi_out={out_dir}", f"--grpc_python_out={out_dir}", str(proto),
        ])
        if code != 0:
            raise SystemExit(f"protoc failed on {proto.name}")
    for grpc_file in out_dir.glob("*_pb2_grpc.py"):
        text = grpc_file.read_text()
        # Generated code imports siblings as top-level modules; make them package-relative.
        text = re.sub(r"^import (\w+_pb2) as", r"from . import \1 as", text, flags=re.M)
        grpc_file.write_text(text)
    return sorted(p for p in out_dir.iterdir() if p.suffix in {".py", ".pyi"} and p.name != "__init__.py")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if committed stubs are stale")
    args = parser.parse_args()
    if not args.check:
        generate(OUT_DIR)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        fresh = generate(Path(tmp))
        stale = [f.name for f in fresh if not (OUT_DIR / f.name).exists() or not filecmp.cmp(f, OUT_DIR / f.name, shallow=False)]
    if stale:
        sys.stderr.write(f"generated stubs are out of date: {', '.join(stale)}; run python scripts/gen_protos.py\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
