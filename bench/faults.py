"""Fault benchmark: ``kill -9`` each process of a running ``jisik up`` in turn during a 100-document ingest.

For every victim (each service, the broker, PostgreSQL, and ``jisik up`` itself, which is then started
again as a service manager would) a fresh knowledge base gets --docs small Markdown documents over HTTP;
once a third of them completed the victim is killed. Reported per victim: documents lost (not completed
in the end), duplicated (extra document rows or extra chunk rows), and seconds from the fault to all
documents done, next to the no-fault run's time from the same point, and where that time went (from the
logs: when the death was noticed, the victim started again, the stack was ready, ingest consumed again).
Goal: 0 lost, 0 duplicated, no manual step, within 30 s of the no-fault run.

    .venv/bin/python bench/faults.py
    .venv/bin/python bench/faults.py --docs 50 --victims ingest,broker

Prints a table and writes bench/results/faults.json (with cpu count, memory and load).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.ingest import _machine  # noqa: E402
from tests.stack import JisikUp  # noqa: E402

RESULTS = ROOT / "bench" / "results"
VICTIMS = ("ingest", "docreader", "model", "retriever", "cdc", "gateway", "broker", "postgres", "supervisor")
FAULT_AT = 1 / 3
GOAL_EXTRA_S = 30.0


# Where the time after a fault goes, from the log lines of `jisik up` and of ingest (wall-clock stamps).
_MILESTONES = {
    "detected": ("up", "restarting it in"),
    "restarted": ("up", "{victim} is back|started {victim} "),
    "stack_ready": ("up", "gateway ready after"),
    "ingest_consuming": ("ingest", "ingest stage parse consuming"),
}


def _stamp(line: str) -> float | None:
    try:
        return datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()
    except ValueError:
        return None


def _breakdown(root: Path, victim: str, fault_wall: float) -> dict[str, float]:
    """Seconds from the fault to each milestone met after it (a milestone that did not happen is left out)."""
    logs = {"up": root / "up.log", "ingest": root / "var" / "logs" / "ingest.log"}
    name = {"supervisor": "docreader", "broker": "broker", "postgres": "postgres"}.get(victim, victim)
    found: dict[str, float] = {}
    for milestone, (log, patterns) in _MILESTONES.items():
        wanted = patterns.format(victim=name).split("|")
        try:
            lines = logs[log].read_text(errors="replace").splitlines()
        except FileNotFoundError:
            continue
        for line in lines:
            stamp = _stamp(line)
            if stamp is not None and stamp >= fault_wall and any(pattern in line for pattern in wanted):
                found[milestone] = round(stamp - fault_wall, 2)
                break
    return found


def _documents(count: int, tag: str) -> list[tuple[str, bytes]]:
    return [(f"{tag}-{i}.md", f"# {tag} note {i}\n\nTeam {i} of {tag} meets on day {i % 28 + 1} in room "
             f"{i * 7 % 90}. Agenda item {i}: budget {i * 13} and hiring {i % 5}.\n".encode())
            for i in range(count)]


class FaultBench:
    def __init__(self, up: JisikUp, docs: int, timeout_s: float) -> None:
        self.up = up
        self.docs = docs
        self.timeout_s = timeout_s

    def _upload_all(self, tag: str) -> str:
        with httpx.Client(base_url=f"{self.up.gateway_url}/api/v1", headers=self.up.headers, timeout=60) as client:
            base = client.post("/knowledge-bases", json={"name": tag})
            base.raise_for_status()
            base_id = str(base.json()["data"]["id"])
            for name, data in _documents(self.docs, tag):
                client.post(f"/knowledge-bases/{base_id}/knowledge/file",
                            files={"file": (name, data, "text/markdown")}).raise_for_status()
        return base_id

    def _done(self, base_id: str) -> int:
        """Documents of the knowledge base that completed (0 while the database is unreachable)."""
        try:
            with psycopg.connect(self.up.database_url, connect_timeout=2) as conn:
                row = conn.execute("SELECT count(*) FROM knowledges WHERE knowledge_base_id = %s "
                                   "AND parse_status IN ('COMPLETED', 'FAILED')", (base_id,)).fetchone()
        except psycopg.OperationalError:
            return 0
        return int(row[0]) if row else 0

    def _wait_done(self, base_id: str, count: int, started: float) -> float:
        while self._done(base_id) < count:
            if time.monotonic() - started > self.timeout_s:
                return float("nan")
            time.sleep(0.2)
        return time.monotonic() - started

    def _integrity(self, base_id: str) -> dict[str, int]:
        with psycopg.connect(self.up.database_url) as conn:
            rows, completed, failed = conn.execute(
                "SELECT count(*), count(*) FILTER (WHERE parse_status = 'COMPLETED'), "
                "count(*) FILTER (WHERE parse_status = 'FAILED') FROM knowledges WHERE knowledge_base_id = %s",
                (base_id,)).fetchone() or (0, 0, 0)
            extra_chunks = conn.execute(
                "SELECT coalesce(sum(extra), 0) FROM (SELECT count(*) - 1 AS extra FROM chunks c "
                "JOIN knowledges k ON k.id = c.knowledge_id WHERE k.knowledge_base_id = %s "
                "GROUP BY c.knowledge_id, c.chunk_index) AS per_position", (base_id,)).fetchone()
        return {"lost": self.docs - completed, "failed": failed, "duplicated_documents": max(0, rows - self.docs),
                "duplicated_chunks": int(extra_chunks[0]) if extra_chunks else 0}

    def _wait_ready(self) -> None:
        """Until /ready answers 200 (the previous run's victim is back)."""
        deadline = time.monotonic() + self.timeout_s
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.up.gateway_url}/ready", timeout=10).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"the stack was not ready again within {self.timeout_s:.0f}s")

    def run(self, victim: str | None) -> dict[str, Any]:
        """One ingest of ``--docs`` documents, killing ``victim`` once a third of them completed."""
        tag = victim or "no-fault"
        self._wait_ready()
        started = time.monotonic()
        base_id = self._upload_all(tag)
        uploaded = time.monotonic() - started
        threshold = max(1, int(self.docs * FAULT_AT))
        fault_at = self._wait_done(base_id, threshold, started)
        fault, fault_wall = time.monotonic(), time.time()
        if victim == "supervisor":
            self.up.kill_supervisor()
            self.up.start()  # what systemd or a container runtime does when jisik up exits
        elif victim is not None:
            self.up.kill(victim)
        to_done = self._wait_done(base_id, self.docs, fault)
        breakdown = _breakdown(self.up.root, victim, fault_wall) if victim else {}
        return {"victim": tag, "upload_seconds": round(uploaded, 2), "fault_at_seconds": round(fault_at, 2),
                "fault_to_done_seconds": round(to_done, 2), "breakdown_seconds": breakdown,
                **self._integrity(base_id)}


def run(args: argparse.Namespace) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="jisik-faults-"))
    up = JisikUp(root)
    result: dict[str, Any] = {"machine": _machine(), "docs": args.docs, "runs": []}
    try:
        up.start()
        bench = FaultBench(up, args.docs, args.timeout)
        baseline = bench.run(None)
        result["runs"].append(baseline)
        print(f"no fault: {baseline}", flush=True)  # noqa: T201 - progress of a long benchmark
        for victim in args.victims.split(","):
            outcome = bench.run(victim)
            outcome["extra_seconds"] = round(outcome["fault_to_done_seconds"] - baseline["fault_to_done_seconds"], 2)
            outcome["within_goal"] = outcome["lost"] == 0 and outcome["duplicated_documents"] == 0 \
                and outcome["duplicated_chunks"] == 0 and outcome["extra_seconds"] <= GOAL_EXTRA_S
            result["runs"].append(outcome)
            print(f"{victim}: {outcome}", flush=True)  # noqa: T201
    finally:
        stopping = time.monotonic()
        up.stop()
        result["shutdown_seconds"] = round(time.monotonic() - stopping, 2)
        result["shutdown_killed"] = [line.split("jisik.runtime.supervisor: ", 1)[-1]
                                     for line in up.log_tail(20000).splitlines() if "did not stop within" in line]
        shutil.rmtree(root, ignore_errors=True)
    result["machine_at_end"] = _machine()
    return result


def _table(result: dict[str, Any]) -> str:
    lines = ["| killed | lost | duplicated docs / chunks | fault to all done | vs no fault | goal met | "
             "after the fault: detected / restarted / stack ready / ingest consuming |",
             "|---|---|---|---|---|---|---|"]
    for outcome in result["runs"]:
        extra = outcome.get("extra_seconds")
        steps = outcome.get("breakdown_seconds", {})
        breakdown = " / ".join(f"{steps[m]} s" if m in steps else "-" for m in _MILESTONES) if steps else ""
        lines.append(
            f"| {outcome['victim']} | {outcome['lost']} | {outcome['duplicated_documents']} / "
            f"{outcome['duplicated_chunks']} | {outcome['fault_to_done_seconds']} s | "
            f"{'' if extra is None else f'{extra:+.1f} s'} | {'' if extra is None else outcome['within_goal']} | "
            f"{breakdown} |")
    lines.append(f"\nSIGTERM to exit: {result['shutdown_seconds']} s; children that had to be killed: "
                 f"{', '.join(result['shutdown_killed']) or 'none'}")
    machine = result["machine"]
    lines.append(f"{result['docs']} documents per run, fault after a third completed; {machine['cpu_count']} CPUs, "
                 f"{machine['memory_gib']} GiB, load {machine['load_average_1m']} at start, "
                 f"{result['machine_at_end']['load_average_1m']} at end")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=100)
    parser.add_argument("--victims", default=",".join(VICTIMS))
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds one run may take")
    parser.add_argument("--output", default=str(RESULTS / "faults.json"))
    args = parser.parse_args()
    result = run(args)
    print(_table(result))  # noqa: T201 - a benchmark prints its table
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
