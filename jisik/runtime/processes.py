"""Child processes that cannot outlive their supervisor, and pid files that let a start clear its own stale ones.

Every child runs in its own process group (so its helpers stop with it) and carries a parent-death
signal (``PR_SET_PDEATHSIG``): the kernel signals it when the supervisor dies, whatever the cause,
``kill -9`` included. Pid files in ``<data>/run`` record pid, start time and command line, so a later
start kills only processes that are verifiably its own.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

__all__ = ["PARENT_GONE", "ChildProcess", "PidFiles", "exit_with_parent", "parent_death_signal"]

logger = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
# The parent-death signal of supervised services: they answer it by killing their whole process group.
PARENT_GONE = signal.SIGUSR2
_LIBC = ctypes.CDLL(None, use_errno=True)


def parent_death_signal(signum: int) -> Callable[[], None]:
    """A ``preexec_fn`` that asks the kernel to send ``signum`` to the child when its parent dies.

    Popen runs it after switching user, which would otherwise clear the setting. The parent is the
    *thread* that forked, so children must be spawned from a thread that lives as long as they do.
    """
    prctl = _LIBC.prctl

    def arm() -> None:
        prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0)

    return arm


def _kill_group(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signum)


def exit_with_parent(parent: int) -> None:
    """In a service: end with process ``parent`` (its supervisor), taking its helpers along.

    On :data:`PARENT_GONE` (the kernel sends it when the supervisor dies), or once a watcher sees the
    parent gone, a service that leads its own process group SIGKILLs the group (worker pools
    included); one started otherwise only SIGTERMs itself.
    """

    def stop(*_: object) -> None:
        if os.getpgid(0) == os.getpid():
            os.killpg(0, signal.SIGKILL)
        os.kill(os.getpid(), signal.SIGTERM)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        logger.warning("the supervisor (pid %d) is gone; stopping", parent)
        stop()

    signal.signal(PARENT_GONE, stop)
    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


@dataclass
class ChildProcess:
    """One supervised process: its own process group, a parent-death signal and an output file."""

    name: str
    argv: Sequence[str]
    log_path: Path
    env: Mapping[str, str] | None = None
    death_signal: int = PARENT_GONE
    stop_signal: int = signal.SIGTERM
    user: int | None = None
    group: int | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                list(self.argv), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                env=dict(self.env) if self.env is not None else None, start_new_session=True,
                user=self.user, group=self.group, preexec_fn=parent_death_signal(self.death_signal),
            )

    def exit_code(self) -> int | None:
        """None while running (or never started), else the exit code (negative: killed by that signal)."""
        return self.process.poll() if self.process else None

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, signum: int) -> None:
        if self.running():
            assert self.process is not None
            self.process.send_signal(signum)

    def wait(self, timeout_s: float) -> bool:
        """True when the process ended within ``timeout_s``; the rest of its group is killed either way."""
        if self.process is None:
            return True
        try:
            self.process.wait(max(0.0, timeout_s))
        except subprocess.TimeoutExpired:
            return False
        _kill_group(self.process.pid, signal.SIGKILL)
        return True

    def clear_group(self) -> None:
        """SIGKILL what is left of the process group once the leader died (its workers, helpers)."""
        if self.process is not None and self.process.poll() is not None:
            _kill_group(self.process.pid, signal.SIGKILL)

    def kill(self) -> None:
        """SIGKILL the whole process group and reap the leader."""
        if self.process is None:
            return
        _kill_group(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        self.process.wait()

    def stop(self, grace_s: float) -> bool:
        """``stop_signal``, then SIGKILL after ``grace_s``; False when it had to be killed."""
        self.signal(self.stop_signal)
        if self.wait(grace_s):
            return True
        self.kill()
        return False


class PidFiles:
    """``<folder>/<name>.pid``: JSON with pid, start time and command line of a running process."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def record(self, name: str, pid: int) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            process = psutil.Process(pid)
            entry = {"pid": pid, "started": process.create_time(), "cmdline": process.cmdline()}
        except psutil.Error:
            return
        temporary = self.folder / f".{name}.pid.tmp"
        temporary.write_text(json.dumps(entry))
        temporary.replace(self.folder / f"{name}.pid")

    def forget(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.folder / f"{name}.pid").unlink()

    def live(self, name: str) -> psutil.Process | None:
        """The recorded process if it still runs with the recorded start time and command line."""
        try:
            entry = json.loads((self.folder / f"{name}.pid").read_text())
            process = psutil.Process(int(entry["pid"]))
            same = process.create_time() == entry["started"] and process.cmdline() == entry["cmdline"]
        except (OSError, ValueError, KeyError, TypeError, psutil.Error):
            return None
        return process if same else None

    def clear_stale(self, *, keep: Sequence[str] = ()) -> list[str]:
        """Kill (with their process groups) the recorded processes still alive; returns their names."""
        cleared = []
        for path in sorted(self.folder.glob("*.pid")):
            name = path.stem
            if name in keep:
                continue
            process = self.live(name)
            if process is not None:
                logger.warning("stopping %s (pid %d) left over from an earlier run", name, process.pid)
                _kill_group(process.pid, signal.SIGKILL)
                with contextlib.suppress(psutil.Error):
                    process.kill()
                    process.wait(10)
                cleared.append(name)
            self.forget(name)
        return cleared
