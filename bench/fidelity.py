"""Text fidelity of the docreader on ../shared/bench/docs: defect counts and known facts.

Parses the PDFs and the road-sign photo in-process and counts, per defect class:
- ``cell_fragments``: table cells with a line holding only dots/dashes (a decimal point or date dot
  moved out of its number: "68 8<br>.")
- ``hangul_wraps``: Hangul-to-Hangul line breaks left inside the text (wrapped lines not reflowed)
- ``split_words``: known words split by a wrap once lines are joined ("데이 터", "기 계가")
- ``spaceless_runs``: runs of 15+ Hangul/digit characters with no space (a text layer without spacing)
and checks facts a reader should find verbatim (the KorQuAD 2.0 paper's tables 3/4, the BOK CBDC dates,
the BOK jobs sentence, the road sign's 평양).

    .venv/bin/python bench/fidelity.py --label after [--docs ../shared/bench/docs]

Run it once with the code under test on PYTHONPATH per label (for example ``--label before`` with a
checkout of the previous revision first on PYTHONPATH); labels accumulate in bench/results/fidelity.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
from pathlib import Path

# Keep bench/ off the import path, as the other bench scripts do.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import psutil  # noqa: E402

from docreader.parsers.base import ParseOptions  # noqa: E402
from docreader.parsers.registry import detect_format, parse_document  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DOCS = ROOT.parent / "shared" / "bench" / "docs"
FILES = [
    "ko_korquad2_paper_2col.pdf",
    "ko_nars_issue1695_covid_insurance.pdf",
    "ko_bok_us_jobs_2021-08_table_chart.pdf",
    "ko_bok_cbdc_fed_views_table.pdf",
    "en_ibm_redpaper_rcac_sampled.pdf",
    "en_ieee_stereo_matching_2col.pdf",
    "ko_road_sign_seoul_pyongyang.png",
]
FACTS: dict[str, list[str]] = {
    "ko_korquad2_paper_2col.pdf": [
        r"\| Human \| - \| - \| 68\.8 \| 83\.9 \|",
        r"\| Baseline \| 30\.8 \| 46\.8 \| 30\.2 \| 46\.0 \|",
        r"\| Short \| 56\.9 \| 44\.8 \| 51\.9 \| 54\.0 \|",
        r"응답 속도는 데이터 전처리",
        r"기계가 주어진 지문과 질문을",
    ],
    "ko_bok_cbdc_fed_views_table.pdf": [r"2021\.4\.28일", r"2021\.2\.23\.~2\.24일", r"중재되지 않고"],
    "ko_bok_us_jobs_2021-08_table_chart.pdf": [r"전월대비 23\.5만명 증가", r"시장 예상치"],
    "ko_nars_issue1695_covid_insurance.pdf": [r"단계에 돌입하였다고"],
    "ko_road_sign_seoul_pyongyang.png": [r"평양", r"서울"],
}
SPLIT_WORDS = ["데이 터", "기 계가", "돌 입하"]
_CELL_FRAGMENT = re.compile(r"(?:^|<br>)[\s.\-]*\.[\s.\-]*(?=<br>|$)")
_HANGUL_WRAP = re.compile(r"[가-힣]\n[가-힣]")
_SPACELESS = re.compile(r"[가-힣0-9.,%]{15,}")


def defects(text: str) -> dict[str, int]:
    cells = [cell.strip() for line in text.splitlines() if line.startswith("|") for cell in line.split("|")]
    joined = re.sub(r"\s*\n\s*", " ", text)
    return {
        "cell_fragments": sum(1 for cell in cells if _CELL_FRAGMENT.search(cell)),
        "hangul_wraps": len(_HANGUL_WRAP.findall(text)),
        "split_words": sum(joined.count(word) for word in SPLIT_WORDS),
        "spaceless_runs": len([run for run in _SPACELESS.findall(text) if re.search("[가-힣]", run)]),
    }


def measure(docs: Path) -> dict[str, object]:
    files: dict[str, object] = {}
    totals: dict[str, int] = {}
    facts_found = facts_total = 0
    for name in FILES:
        path = docs / name
        if not path.exists():
            continue
        data = path.read_bytes()
        started = time.perf_counter()
        fmt = detect_format(data, name)
        text = parse_document(data, fmt, ParseOptions(name=name, extract_images=False)).text
        seconds = time.perf_counter() - started
        counts = defects(text)
        found = [pattern for pattern in FACTS.get(name, []) if re.search(pattern, text)]
        facts_found += len(found)
        facts_total += len(FACTS.get(name, []))
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
        files[name] = {
            **counts,
            "facts": f"{len(found)}/{len(FACTS.get(name, []))}",
            "missing": [p for p in FACTS.get(name, []) if p not in found],
            "seconds": round(seconds, 2),
        }
    return {"files": files, "totals": totals, "facts": f"{facts_found}/{facts_total}"}


def print_table(label: str, report: dict[str, object]) -> None:
    print(f"[{label}]")
    print(
        f"{'file':42} {'cell frag':>9} {'hangul wraps':>12} {'split words':>11} {'spaceless':>9} {'facts':>6}"
    )
    for name, row in report["files"].items():  # type: ignore[attr-defined]  # bench results are built as dict[str, object]
        print(
            f"{name:42} {row['cell_fragments']:>9} {row['hangul_wraps']:>12} {row['split_words']:>11} "
            f"{row['spaceless_runs']:>9} {row['facts']:>6}"
        )
    print(f"totals {report['totals']}  facts {report['facts']}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=Path, default=DEFAULT_DOCS)
    parser.add_argument("--label", default="current", help="name of the code revision measured")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "fidelity.json")
    args = parser.parse_args()
    if not args.docs.is_dir():
        sys.exit(f"{args.docs} is not present")
    report = measure(args.docs)
    print_table(args.label, report)
    previous = json.loads(args.out.read_text()) if args.out.exists() else {}
    previous.setdefault("runs", {})[args.label] = report
    previous["machine"] = {
        "cpu_count": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / (1 << 30), 1),
        "load_average_1m_at_end": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(previous, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
