"""Parser worker processes, each one bounded: one spawned process per slot, talking over a pipe.

Every worker runs under an address-space limit (``worker_memory_mb``), dies with the docreader
(parent-death signal) and has a hard time limit per task (``worker_time_limit_s``). A worker that
crashes, runs out of time or whose task is cancelled (the document's deadline passed, the client went
away) is killed, it alone with any OCR process it started, and replaced at once: only the document it
was parsing fails, and the next one is served by the replacement. ``healthy`` turns false, and the
``on_health`` callback fires, while no worker can be started.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import multiprocessing
import os
import resource
import signal
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, NoReturn

from jisik.errors import DeadlineExceeded, JisikError, ParseFailed, ParserCrashed, TooLarge, Unavailable

from .parsers.registry import warm_up

__all__ = ["ParserPool", "WorkerLimits"]

logger = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
_START_TIMEOUT_S = 120.0
_STOP_GRACE_S = 2.0
_MAX_BACKOFF_S = 30.0


@dataclass(frozen=True, slots=True)
class WorkerLimits:
    """What bounds one worker process."""

    memory_mb: int = 2048
    time_limit_s: float = 300.0
    max_tasks: int = 200


# --- the worker process -------------------------------------------------------------------------


def _die_with_parent(parent_pid: int) -> None:
    """Ask Linux to SIGKILL this process when the docreader dies, and exit if it already has."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(1)


def _resident_bytes() -> int:
    with open("/proc/self/statm", "rb") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _portable(exc: BaseException, memory_bytes: int) -> JisikError:
    """The error to send back: jisik errors as they are, anything else as a ParseFailed naming its type."""
    if isinstance(exc, JisikError):
        return type(exc)(exc.message)
    if isinstance(exc, MemoryError):
        return TooLarge(f"needs more memory than the parser's limit of {memory_bytes >> 20} MiB")
    return ParseFailed(f"the parser failed ({type(exc).__name__})")


def _serve(connection: Connection, memory_bytes: int, parent_pid: int) -> None:
    """Worker main loop: take ``(fn, args)``, answer ``(ok, value, retire)``; ``None`` stops.

    The process leaves with ``os._exit``: after running out of memory even a normal exit may not finish.
    """
    _die_with_parent(parent_pid)
    os.setpgid(0, 0)  # its own group: killing the worker also kills the OCR processes it started
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the docreader's to handle
    os.environ["OMP_THREAD_LIMIT"] = "1"  # one OCR thread per worker: the pool runs one worker per CPU
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    status = 1
    try:
        try:
            warm_up()
        except BaseException as exc:  # noqa: BLE001 - report why this worker cannot start, then exit
            connection.send((False, _portable(exc, memory_bytes), True))
            return
        connection.send((True, None, False))
        while (message := connection.recv()) is not None:
            connection.send(_run_task(message, memory_bytes))
        status = 0
    except BaseException:  # noqa: BLE001 - the pipe closed or memory ran out between tasks: just leave
        pass
    finally:
        os._exit(status)


def _run_task(message: tuple[Callable[..., Any], tuple[Any, ...]], memory_bytes: int) -> tuple[bool, Any, bool]:
    """Run one task; ``retire`` asks for a fresh worker once the heap grew large or memory ran out."""
    fn, args = message
    out_of_memory = False
    try:
        reply: tuple[bool, Any] = (True, fn(*args))
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the caller, typed
        out_of_memory = isinstance(exc, MemoryError) or isinstance(exc.__cause__, MemoryError)
        reply = (False, _portable(exc, memory_bytes))
    return (*reply, out_of_memory or _resident_bytes() > memory_bytes // 2)


# --- the docreader side -------------------------------------------------------------------------


class _WorkerGone(Exception):
    """The worker had already exited when a task was sent: the task never started."""


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    connection: Connection
    tasks: int = 0
    ready: bool = False
    dead: bool = False

    def exited(self) -> bool:
        """Whether the process has ended (without reaping it)."""
        return bool(wait([self.process.sentinel], 0))

    def exchange(self, message: object) -> tuple[bool, Any, bool]:
        try:
            self.connection.send(message)
        except OSError as exc:
            raise _WorkerGone from exc
        reply: tuple[bool, Any, bool] = self.connection.recv()
        return reply

    def receive(self, timeout_s: float) -> tuple[bool, Any, bool]:
        if not self.connection.poll(timeout_s):
            raise TimeoutError
        reply: tuple[bool, Any, bool] = self.connection.recv()
        return reply

    def kill(self) -> None:
        """SIGKILL the worker's process group (the worker and any OCR process it started)."""
        if self.process.exitcode is None:  # not reaped yet, so its pid cannot have been reused
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid or 0, signal.SIGKILL)

    def reap(self) -> str:
        """Wait for the process (killing it after a grace period) and describe how it ended."""
        self.process.join(_STOP_GRACE_S)
        if self.process.exitcode is None:
            self.kill()
            self.process.join(_STOP_GRACE_S)
        code = self.process.exitcode
        self.connection.close()
        if code is None:
            return "did not exit"
        if code < 0:
            return f"killed by {signal.Signals(-code).name}"
        return f"exit status {code}"


class ParserPool:
    """``processes`` bounded worker processes; ``submit`` runs a picklable function in one of them."""

    def __init__(self, processes: int, limits: WorkerLimits | None = None) -> None:
        self.processes = processes
        self.limits = limits or WorkerLimits()
        self.on_health: Callable[[bool], None] | None = None
        self._context = multiprocessing.get_context("spawn")
        self._threads = ThreadPoolExecutor(processes * 2 + 2, thread_name_prefix="parser-pipe")
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._workers: set[_Worker] = set()
        self._starters: set[asyncio.Task[None]] = set()
        self._failed_starts = 0
        self._healthy = True
        self._closed = False

    @property
    def healthy(self) -> bool:
        """False while no worker is ready and the last attempt to start one failed."""
        return self._healthy

    @property
    def pids(self) -> list[int]:
        """Process ids of the workers ready for a task or busy with one (for monitoring and tests)."""
        return [w.process.pid for w in self._workers if w.ready and not w.dead and w.process.pid]

    async def start(self) -> None:
        """Spawn every worker and wait until each has imported the parsers.

        :raises Unavailable: when no worker could be started.
        """
        results = await asyncio.gather(*(self._start_worker() for _ in range(self.processes)))
        if not any(results):
            raise Unavailable("no parser worker process could be started")
        for _ in range(results.count(False)):
            self._replace()

    def submit(self, name: str, fn: Callable[..., Any], *args: Any) -> asyncio.Task[Any]:
        """Run ``fn(*args)`` in a worker; cancelling the task kills the worker if it already runs it."""
        return asyncio.get_running_loop().create_task(self.run(name, fn, *args))

    async def run(self, name: str, fn: Callable[..., Any], *args: Any) -> Any:
        """Run one task in a worker and return its result.

        :raises ParserCrashed: the worker crashed (it is replaced; the next task is served).
        :raises DeadlineExceeded: the task ran past ``worker_time_limit_s`` (the worker is killed).
        """
        loop = asyncio.get_running_loop()
        for attempt in (1, 2):
            worker = await self._acquire()
            try:
                ok, value, retire = await asyncio.wait_for(
                    loop.run_in_executor(self._threads, worker.exchange, (fn, args)), self.limits.time_limit_s
                )
                break
            except _WorkerGone as exc:
                if attempt == 2:
                    await self._fail(name, worker, exc.__cause__ or exc)
                self._discard(worker)  # killed while idle, before its exit was noticed: another takes the task
            except BaseException as exc:  # noqa: BLE001 - crash, time limit or cancel: _fail sorts them out
                await self._fail(name, worker, exc)
        worker.tasks += 1
        if retire or worker.tasks >= self.limits.max_tasks:
            self._retire(worker)
        else:
            self._idle.put_nowait(worker)
        if not ok:
            error: JisikError = value
            raise type(error)(error.message if error.message.startswith(name) else f"{name}: {error.message}")
        return value

    async def _fail(self, name: str, worker: _Worker, exc: BaseException) -> NoReturn:
        """Kill ``worker`` after its task failed to complete and raise what the caller should see."""
        if isinstance(exc, TimeoutError):
            self._discard(worker)
            raise DeadlineExceeded(
                f"{name}: a parser worker ran longer than its limit of {self.limits.time_limit_s:g}s"
            ) from exc
        if isinstance(exc, (EOFError, OSError)):
            how = await self._discard_and_reap(worker)
            raise ParserCrashed(f"{name}: the parser crashed on this document ({how})") from exc
        self._discard(worker)  # cancelled: the document's deadline passed or its caller left
        raise exc

    async def close(self) -> None:
        self._closed = True
        for starter in list(self._starters):
            starter.cancel()
        workers = list(self._workers)
        for worker in workers:
            self._stop(worker)
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(self._threads, w.reap) for w in workers))
        self._threads.shutdown(wait=False)

    # --- internals ---

    async def _acquire(self) -> _Worker:
        while True:
            if self._closed:
                raise Unavailable("the docreader is shutting down")
            worker = await self._idle.get()
            if not worker.dead and not worker.exited():
                return worker
            self._discard(worker)

    def _spawn(self) -> _Worker:
        parent_end, child_end = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=_serve,
            args=(child_end, self.limits.memory_mb * 1024 * 1024, os.getpid()),
            name="jisik-parser",
            daemon=True,
        )
        process.start()  # from the event-loop thread, which lives as long as the docreader
        child_end.close()
        worker = _Worker(process, parent_end)
        self._workers.add(worker)
        asyncio.get_running_loop().add_reader(process.sentinel, self._on_exit, worker)
        return worker

    async def _start_worker(self) -> bool:
        """Start one worker and make it available; False when it could not start."""
        try:
            worker = self._spawn()
        except OSError as exc:
            self._start_failed(f"spawn failed ({type(exc).__name__})")
            return False
        loop = asyncio.get_running_loop()
        try:
            ok, error, _ = await loop.run_in_executor(self._threads, worker.receive, _START_TIMEOUT_S)
        except (TimeoutError, EOFError, OSError) as exc:
            ok, error = False, ParseFailed(type(exc).__name__)
        if not ok or self._closed:
            self._discard(worker)
            if not self._closed:
                self._start_failed(getattr(error, "message", str(error)))
            return False
        worker.ready = True
        self._failed_starts = 0
        self._set_health(True)
        self._idle.put_nowait(worker)
        return True

    def _start_failed(self, reason: str) -> None:
        self._failed_starts += 1
        logger.error("a parser worker could not start: %s", reason)
        if not any(w.ready for w in self._workers):
            self._set_health(False)

    def _replace(self) -> None:
        """Start a replacement worker now (with backoff after failed starts)."""
        if self._closed:
            return
        task = asyncio.get_running_loop().create_task(self._replacement())
        self._starters.add(task)
        task.add_done_callback(self._starters.discard)

    async def _replacement(self) -> None:
        while not self._closed:
            if self._failed_starts:
                await asyncio.sleep(min(_MAX_BACKOFF_S, 0.5 * 2 ** min(self._failed_starts, 8)))
            if await self._start_worker():
                return

    def _on_exit(self, worker: _Worker) -> None:
        """The worker's process ended (crash, OOM kill, kill -9): replace it at once."""
        if not worker.dead:
            logger.warning("parser worker %s exited; starting a replacement", worker.process.pid)
        self._discard(worker)

    def _discard(self, worker: _Worker) -> None:
        """Kill a worker (if still running) and forget it; idempotent. A worker that was ready is
        replaced at once; one that was still starting is retried by its own starter."""
        if worker.dead:
            return
        worker.dead = True
        self._workers.discard(worker)
        with contextlib.suppress(ValueError, OSError):
            asyncio.get_running_loop().remove_reader(worker.process.sentinel)
        worker.kill()
        if worker.ready:
            self._replace()

    async def _discard_and_reap(self, worker: _Worker) -> str:
        loop = asyncio.get_running_loop()
        self._discard(worker)
        return await loop.run_in_executor(self._threads, worker.reap)

    def _retire(self, worker: _Worker) -> None:
        """Stop a worker gracefully after its last task, and start its replacement."""
        self._stop(worker)
        asyncio.get_running_loop().run_in_executor(self._threads, worker.reap)
        self._replace()

    def _stop(self, worker: _Worker) -> None:
        """Ask a worker to exit after its current task (``reap`` kills it if it does not)."""
        worker.dead = True
        self._workers.discard(worker)
        with contextlib.suppress(ValueError, OSError):
            asyncio.get_running_loop().remove_reader(worker.process.sentinel)
        with contextlib.suppress(OSError, ValueError):
            worker.connection.send(None)

    def _set_health(self, healthy: bool) -> None:
        if healthy != self._healthy:
            self._healthy = healthy
            logger.log(logging.INFO if healthy else logging.ERROR, "parser pool healthy=%s", healthy)
            if self.on_health is not None:
                self.on_health(healthy)
