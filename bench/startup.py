"""Start-up of the embedded platform: seconds from `jisik up` to GET /ready = 200, cold and warm,
and the resident memory of the whole process tree (RSS sum and PSS) before any request.

Cold = a fresh data folder (initdb, migrations, bootstrap tenant); warm = the same folder again.
Every port is picked free, so this runs next to a live `jisik up`.

    .venv/bin/python bench/startup.py [--timeout 180]

Prints a table and writes bench/results/startup.json (with cpu count, memory and load average).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
GOALS = {"warm_ready_s": 15.0, "rss_mib": 1536.0}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "JISIK_DATA_DIR": str(data_dir),
        "JISIK_STORAGE_LOCAL_DIR": str(data_dir / "objects"),
        "JISIK_GATEWAY_PORT": str(_free_port()),
        "JISIK_DOCREADER_ADDR": f"127.0.0.1:{_free_port()}",
        "JISIK_RETRIEVER_ADDR": f"127.0.0.1:{_free_port()}",
        "JISIK_MODEL_ADDR": f"127.0.0.1:{_free_port()}",
        "JISIK_DB_EMBEDDED_PORT": str(_free_port()),
        "JISIK_KAFKA_EMBEDDED_PORT": str(_free_port()),
        "JISIK_DB_URL": "",
        "JISIK_KAFKA_BOOTSTRAP_SERVERS": "",
    }


def _service_of(process: psutil.Process, root: psutil.Process) -> str:
    """``<name>`` of the nearest `jisik serve <name>` at or above ``process``, else its program name
    (postgres, tansu, ``jisik up`` itself)."""
    here: psutil.Process | None = process
    while here is not None and here.pid != root.pid:
        command = here.cmdline()
        if "serve" in command[:-1]:
            return command[command.index("serve") + 1]
        here = here.parent()
    return "up" if process.pid == root.pid else process.name()


def _tree_memory_mib(root: psutil.Process) -> dict[str, Any]:
    """RSS summed over the tree (counts shared pages once per process) and PSS (shares them out), and
    RSS per service (its workers included)."""
    processes = [root, *root.children(recursive=True)]
    rss = pss = 0
    by_name: dict[str, float] = {}
    for process in processes:
        try:
            info = process.memory_full_info()
            name = _service_of(process, root)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        rss += info.rss
        pss += info.pss
        by_name[name] = round(by_name.get(name, 0.0) + info.rss / 2**20, 1)
    return {"rss_mib": round(rss / 2**20, 1), "pss_mib": round(pss / 2**20, 1), "processes": len(processes),
            "service_rss_mib": by_name}


def _one_start(env: dict[str, str], timeout_s: float) -> dict[str, Any]:
    """Start `jisik up`, wait for /ready, measure, stop it cleanly."""
    url = f"http://127.0.0.1:{env['JISIK_GATEWAY_PORT']}/ready"
    log = Path(env["JISIK_DATA_DIR"]).parent / "up.log"
    started = time.perf_counter()
    with log.open("ab") as output:
        up = subprocess.Popen([sys.executable, "-m", "jisik", "up"], env=env, stdout=output, stderr=output)
    try:
        while True:
            if up.poll() is not None:
                raise RuntimeError(f"jisik up exited with {up.returncode}:\n{log.read_text()[-3000:]}")
            if time.perf_counter() - started > timeout_s:
                raise RuntimeError(f"not ready within {timeout_s:.0f}s:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(url, timeout=2.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        ready_s = time.perf_counter() - started
        time.sleep(2.0)  # let every process finish its start-up work before measuring memory
        memory = _tree_memory_mib(psutil.Process(up.pid))
    finally:
        stop_started = time.perf_counter()
        up.send_signal(signal.SIGTERM)
        try:
            up.wait(60)
        except subprocess.TimeoutExpired:
            up.kill()
            up.wait()
        stop_s = time.perf_counter() - stop_started
    return {"ready_s": round(ready_s, 2), **memory, "stop_s": round(stop_s, 2), "exit_code": up.returncode}


def machine() -> dict[str, object]:
    return {"cpu_count": os.cpu_count(), "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
            "load_avg_1m": round(os.getloadavg()[0], 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description="jisik up start-up time and memory")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds to wait for /ready")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="jisik-bench-startup-"))
    load_at_start = round(os.getloadavg()[0], 2)
    try:
        env = _environment(root / "var")
        runs = {"cold": _one_start(env, args.timeout), "warm": _one_start(env, args.timeout)}
    finally:
        shutil.rmtree(root, ignore_errors=True)
    report = {"machine": {**machine(), "load_avg_1m_at_start": load_at_start}, "goals": GOALS, "runs": runs}
    print(f"machine: {report['machine']}")
    print(f"{'start':<6} {'ready s':>8} {'RSS MiB':>9} {'PSS MiB':>9} {'procs':>6} {'stop s':>7} {'exit':>5}")
    for name, run in runs.items():
        print(f"{name:<6} {run['ready_s']:>8} {run['rss_mib']:>9} {run['pss_mib']:>9} {run['processes']:>6}"
              f" {run['stop_s']:>7} {run['exit_code']:>5}")
    print("RSS per service (warm):", ", ".join(f"{k} {v}" for k, v in runs["warm"]["service_rss_mib"].items()))
    print(f"goals: warm ready <= {GOALS['warm_ready_s']} s, RSS <= {GOALS['rss_mib']:.0f} MiB")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "startup.json").write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
