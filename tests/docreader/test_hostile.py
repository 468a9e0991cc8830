"""The hostile files of issue 13 and worker faults, against real parser worker processes.

Each worker runs under a memory limit and a hard time limit; a worker that crashes or is killed is
replaced at once, only its own document fails, and the next request is served.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import grpc
import psutil
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from docreader.server import create_server
from docreader.service import DocReaderService, ReadRequest
from docreader.workers import WorkerLimits
from jisik.errors import DeadlineExceeded, ParserCrashed, TooLarge
from jisik.settings import DocreaderSettings, Settings, StorageSettings, get_settings
from tests import hostile_files as hostile

from . import fixtures as fx
from . import xls_fixtures as xls

pytestmark = pytest.mark.integration
ROOT = str(Path(__file__).resolve().parents[2])


def _settings(tmp_path: Path, **docreader: object) -> Settings:
    return get_settings().model_copy(
        update={
            "storage": StorageSettings(local_dir=tmp_path),
            "docreader": DocreaderSettings(ocr_engine="none", **docreader),  # type: ignore[arg-type]  # **docreader forwards the DocreaderSettings fields each test picks
        }
    )


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[DocReaderService]:
    service = DocReaderService(_settings(tmp_path, worker_processes=1, worker_memory_mb=1024))
    await service.start()
    try:
        yield service
    finally:
        await service.close()


async def _text(service: DocReaderService, data: bytes, name: str) -> str:
    chunks, _ = await service.read(ReadRequest(content=data, file_name=name))
    return "\n".join(chunk.content for chunk in chunks)


def _ended(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


async def _wait_for(condition: Callable[[], bool], timeout_s: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not condition():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


class TestHostileFiles:
    async def test_the_issue_files_are_read_or_refused_within_the_memory_limit(
        self, service: DocReaderService
    ) -> None:
        assert "merged over everything" in await _text(service, hostile.sheet_wide_merge_xlsx(), "merge.xlsx")
        corners = await _text(service, hostile.far_apart_cells_xlsx(), "corners.xlsx")
        assert "top left" in corners and "bottom right" in corners
        flood = hostile.docx_paragraph_flood(megabytes=400)
        assert len(flood) < 2 * 1024 * 1024
        with pytest.raises(TooLarge, match="flood.docx: too large to read: more than 5,000,000 XML elements"):
            await _text(service, flood, "flood.docx")
        assert fx.KO in await _text(service, fx.docx_document(), "after.docx")

    async def test_hostile_old_excel_files_are_read_by_what_they_hold_or_refused(
        self, service: DocReaderService
    ) -> None:
        corners = await _text(service, xls.far_corner_cell_xls(), "corners.xls")
        assert "top left" in corners and "bottom right" in corners
        with pytest.raises(TooLarge, match="merges.xls: too large to read: more than 100,000 merged cell ranges"):
            await _text(service, xls.many_merged_ranges_xls(120_000), "merges.xls")
        assert fx.KO in await _text(service, fx.docx_document(), "after.docx")

    async def test_a_table_over_the_worker_memory_limit_fails_alone(self, tmp_path: Path) -> None:
        # No content limit stops this one (15 million cells): the worker's address-space limit does.
        settings = _settings(tmp_path, worker_processes=1, worker_memory_mb=1024, max_cells=10**9, max_rows=10**9)
        service = DocReaderService(settings)
        await service.start()
        try:
            with pytest.raises(TooLarge, match="big.csv: too complex to parse"):
                await _text(service, b"1,2,3,4,5,6,7,8,9,0\n" * 1_500_000, "big.csv")
            assert fx.KO in await _text(service, fx.docx_document(), "after.docx")
        finally:
            await service.close()


    async def test_a_small_document_does_not_wait_behind_hostile_ones(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # One CPU, two documents at once: the default still gives each document its own process.
        monkeypatch.setattr("jisik.settings.docreader.os.cpu_count", lambda: 1)
        service = DocReaderService(_settings(tmp_path, max_workers=2))
        await service.start()
        try:
            flood = asyncio.create_task(_text(service, hostile.docx_paragraph_flood(megabytes=400), "flood.docx"))
            await asyncio.sleep(0.5)  # the flood holds a worker
            assert fx.KO in await _text(service, fx.docx_document(), "small.docx")
            assert not flood.done(), "the small document waited until the flood was refused"
            with pytest.raises(TooLarge):
                await flood
        finally:
            await service.close()


class TestWorkerFaults:
    async def test_a_killed_worker_fails_only_its_document_and_is_replaced(
        self, service: DocReaderService
    ) -> None:
        [victim] = service.pool.pids
        # Its start-up (importing the parsers) already used CPU: wait for half a second more, the parse.
        started_with = psutil.Process(victim).cpu_times().user
        slow = asyncio.create_task(_text(service, hostile.many_cells_xlsx(60_000), "slow.xlsx"))
        await _wait_for(lambda: psutil.Process(victim).cpu_times().user > started_with + 0.5)
        os.kill(victim, signal.SIGKILL)
        with pytest.raises(ParserCrashed, match=r"slow.xlsx: the parser crashed on this document \(killed by SIGKILL\)"):
            await slow
        assert fx.KO in await _text(service, fx.docx_document(), "next.docx")
        assert service.pool.pids and victim not in service.pool.pids

    async def test_a_worker_killed_while_idle_is_replaced_before_the_next_request(
        self, service: DocReaderService
    ) -> None:
        [victim] = service.pool.pids
        os.kill(victim, signal.SIGKILL)
        assert fx.KO in await _text(service, fx.docx_document(), "next.docx")  # no "crashed" error

    @pytest.mark.parametrize(
        ("limit", "message"),
        [
            ({"worker_time_limit_s": 0.5}, "slow.xlsx: a parser worker ran longer than its limit of 0.5s"),
            ({"timeout_s": 0.5}, "slow.xlsx: parsing took longer than 0s"),
        ],
        ids=["worker-time-limit", "document-deadline"],
    )
    async def test_a_parse_past_its_time_limit_is_killed_with_its_worker(
        self, tmp_path: Path, limit: dict[str, float], message: str
    ) -> None:
        service = DocReaderService(_settings(tmp_path, worker_processes=1, **limit))
        await service.start()
        try:
            [worker] = service.pool.pids
            with pytest.raises(DeadlineExceeded, match=message):
                await _text(service, hostile.many_cells_xlsx(60_000), "slow.xlsx")
            await _wait_for(lambda: _ended(worker))  # killed, not left running past its deadline
            await _wait_for(lambda: len(service.pool.pids) == 1)  # and replaced
        finally:
            await service.close()

    async def test_workers_die_with_the_docreader(self, tmp_path: Path) -> None:
        script = (
            "import asyncio, sys\n"
            "from docreader.workers import ParserPool, WorkerLimits\n"
            "async def main():\n"
            "    pool = ParserPool(2, WorkerLimits(memory_mb=1024))\n"
            "    await pool.start()\n"
            "    print(*pool.pids, flush=True)\n"
            "    await asyncio.sleep(600)\n"
            "if __name__ == '__main__':\n"
            "    asyncio.run(main())\n"
        )
        (tmp_path / "docreader_like.py").write_text(script)
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(tmp_path / "docreader_like.py"),
            stdout=asyncio.subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": ROOT},
        )
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 120)
        workers = [int(pid) for pid in line.split()]
        assert len(workers) == 2 and all(psutil.pid_exists(pid) for pid in workers)
        process.kill()
        await process.wait()
        await _wait_for(lambda: all(_ended(pid) for pid in workers), 10)


class TestHealth:
    async def test_health_is_not_serving_while_no_worker_can_start(self, tmp_path: Path) -> None:
        settings = _settings(tmp_path, worker_processes=1)
        server, port, _, service = await create_server(settings, 0)
        await server.start()
        try:
            async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
                stub = health_pb2_grpc.HealthStub(channel)

                async def status() -> int:
                    reply = await stub.Check(health_pb2.HealthCheckRequest(service=""))
                    return int(reply.status)

                limits = service.pool.limits
                service.pool.limits = WorkerLimits(memory_mb=64)  # too small for a worker to import the parsers
                os.kill(service.pool.pids[0], signal.SIGKILL)
                await _wait_for(lambda: not service.pool.healthy)
                assert await status() == health_pb2.HealthCheckResponse.NOT_SERVING
                service.pool.limits = limits
                await _wait_for(lambda: service.pool.healthy, 60)
                assert await status() == health_pb2.HealthCheckResponse.SERVING
                assert fx.KO in await _text(service, fx.docx_document(), "after.docx")
        finally:
            await server.stop(0)
            await service.close()
