"""The trainer worker: takes jobs (retrieval models, a cross-encoder reranker when the job's parameters
say ``kind: cross_encoder``, a knowledge base's field tagger with ``kind: field_tagger``, a bi-encoder
version's vectors of the chunks with ``kind: reembed``) from ``ml.training.jobs`` (and from the database,
so a lost event or a killed trainer loses no job), runs one at a time with heartbeats, progress, logs and
cancel, queues the re-embedding of a serving bi-encoder whose index changed, and watches every tenant's
canary for an automatic rollback.

A job whose trainer died (no heartbeat for ``stale_after_s``) is queued again and resumed from its
start, until it has been started ``max_attempts`` times; then it is failed with that reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from datetime import UTC, datetime

import numpy as np
from aiokafka.errors import KafkaError
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from jisik.db.models import Rollout, TrainingJob
from jisik.errors import JisikError
from jisik.events import Topic
from jisik.kafka import create_consumer, decode_value, ensure_topics
from jisik.settings import Settings
from jisik.storage import ObjectStore

from .cross_encoder import CROSS_ENCODER
from .field_labels import DocumentReader
from .jobs import append_log, claim, finish, queued_jobs, recover_stale
from .reembed import REEMBED, queue_stale, run_reembed
from .rollout import watch_rollout
from .tagger_job import run_tagger_training
from .tagger_registry import FIELD_TAGGER
from .trainer import Embed, run_training

__all__ = ["JobCancelled", "TrainerWorker", "default_embed"]

logger = logging.getLogger(__name__)
GROUP_ID = "jisik-trainer"


class JobCancelled(Exception):
    """The job's cancel was requested."""


def default_embed(texts: list[str]) -> np.ndarray:
    """Question vectors from the default embedder (multilingual-e5-small, loaded in this process on the
    first job)."""
    from ml.serving.local import load_embedder

    return np.asarray(load_embedder("multilingual-e5-small").embed(list(texts), "query"), dtype=np.float32)


class _JobReporter:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], job_id: str) -> None:
        self._sessions = sessions
        self._job_id = job_id
        self._loop = asyncio.get_running_loop()
        self.cancelled = threading.Event()

    async def log(self, line: str) -> None:
        async with self._sessions() as session, session.begin():
            await append_log(session, self._job_id, line)

    async def progress(self, share: float) -> None:
        if self.cancelled.is_set():
            raise JobCancelled
        async with self._sessions() as session, session.begin():
            await session.execute(update(TrainingJob).where(col(TrainingJob.id) == self._job_id)
                                  .values(progress=round(min(share, 1.0), 4)))

    def progress_from_thread(self, share: float) -> None:
        if self.cancelled.is_set():
            raise JobCancelled
        asyncio.run_coroutine_threadsafe(self.progress(share), self._loop)

    async def heartbeat(self, every_s: float) -> None:
        """Beat until cancelled; a requested cancel sets ``cancelled`` (the job stops at its next step)."""
        while True:
            async with self._sessions() as session, session.begin():
                requested = await session.scalar(
                    update(TrainingJob).where(col(TrainingJob.id) == self._job_id)
                    .values(heartbeat_at=datetime.now(UTC)).returning(col(TrainingJob.cancel_requested))
                )
            if requested:
                self.cancelled.set()
            await asyncio.sleep(every_s)


class TrainerWorker:
    def __init__(self, settings: Settings, sessions: async_sessionmaker[AsyncSession], embed: Embed, *,
                 bootstrap_servers: str | None = None, store: ObjectStore | None = None) -> None:
        self.settings = settings
        self._reader = DocumentReader(store, ocr=settings.docreader.ocr_engine != "none",
                                      languages=settings.ingest.fields_ocr_languages)
        self._sessions = sessions
        self._embed = embed
        self._servers = bootstrap_servers
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._pending: set[str] = set()
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """Ask ``run`` to return: the consumer leaves its group cleanly, a running job is cancelled (and
        resumed by the next trainer)."""
        self._stopping.set()

    def _offer(self, job_id: str) -> None:
        if job_id not in self._pending:
            self._pending.add(job_id)
            self._queue.put_nowait(job_id)

    async def run(self) -> None:
        """Consume, scan and train until ``stop``; the first task that fails ends the others."""
        consume = asyncio.create_task(self._consume(), name="trainer-consume")
        others = [asyncio.create_task(self._scan(), name="trainer-scan"),
                  asyncio.create_task(self._train(), name="trainer-run")]
        try:
            await asyncio.wait([consume, *others], return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._stopping.set()
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)
            await asyncio.gather(consume, return_exceptions=True)
        for task in (consume, *others):
            if task.done() and not task.cancelled():
                task.result()  # re-raises the failure that ended the worker

    async def _consume(self) -> None:
        kafka = self.settings.kafka
        await ensure_topics(kafka, [Topic.ML_TRAINING_JOBS, Topic.ML_MODELS_REGISTERED],
                            bootstrap_servers=self._servers)
        consumer = create_consumer(kafka, [Topic.ML_TRAINING_JOBS], group_id=GROUP_ID,
                                   bootstrap_servers=self._servers)
        try:
            await consumer.start()
            while not self._stopping.is_set():
                batches = await consumer.getmany(timeout_ms=500)
                for records in batches.values():
                    for record in records:
                        job_id = str(decode_value(record).get("job_id", ""))
                        if job_id:
                            self._offer(job_id)
                if batches:
                    with contextlib.suppress(KafkaError):
                        await consumer.commit()  # the row is the record: a lost offset only re-offers a job
        finally:
            await consumer.stop()

    async def _scan(self) -> None:
        training = self.settings.training
        while True:
            try:
                async with self._sessions() as session, session.begin():
                    await recover_stale(session, stale_after_s=training.stale_after_s,
                                        max_attempts=training.max_attempts)
                    await queue_stale(session)
                    for job_id in await queued_jobs(session):
                        self._offer(job_id)
                await self._watch_rollouts()
            except (OSError, JisikError) as exc:
                logger.warning("trainer scan failed: %s", type(exc).__name__)
            await asyncio.sleep(training.poll_s)

    async def _watch_rollouts(self) -> None:
        async with self._sessions() as session:
            tenants = list(await session.scalars(
                select(col(Rollout.tenant_id)).where(col(Rollout.state) == "canary", col(Rollout.percent) > 0)
            ))
        for tenant_id in tenants:
            async with self._sessions() as session, session.begin():
                reason = await watch_rollout(session, tenant_id, self.settings.training, datetime.now(UTC))
            if reason:
                logger.warning("tenant %s: challenger rolled back automatically", tenant_id)

    async def _train(self) -> None:
        while True:
            job_id = await self._queue.get()
            try:
                await self.run_job(job_id)
            finally:
                self._pending.discard(job_id)

    async def run_job(self, job_id: str) -> None:
        """Claim and run one job (nothing when another trainer has it or it is no longer queued)."""
        async with self._sessions() as session, session.begin():
            job = await claim(session, job_id)
        if job is None:
            return
        reporter = _JobReporter(self._sessions, job_id)
        await reporter.log(f"attempt {job.attempts} started")
        beat = asyncio.create_task(reporter.heartbeat(self.settings.training.heartbeat_s))
        status, error, version_id, snapshot_id = "failed", "", "", ""
        try:
            if job.parameters.get("kind") == REEMBED:
                outcome = await run_reembed(self._sessions, tenant_id=job.tenant_id, reporter=reporter,
                                            version_id=str(job.parameters.get("version_id", "")))
            elif job.parameters.get("kind") == FIELD_TAGGER:
                outcome = await run_tagger_training(
                    self._sessions, tenant_id=job.tenant_id, job_id=job_id, settings=self.settings.training,
                    knowledge_base_id=str(job.parameters.get("knowledge_base_id", "")), reporter=reporter,
                    reader=self._reader)
            else:
                kind = job.parameters.get("kind")
                outcome = await run_training(self._sessions, tenant_id=job.tenant_id, job_id=job_id,
                                             settings=self.settings.training, embed=self._embed, reporter=reporter,
                                             kind=CROSS_ENCODER if kind == CROSS_ENCODER else None)
            status, version_id, snapshot_id = "succeeded", outcome.version_id, outcome.snapshot_id
        except JobCancelled:
            status = "cancelled"
        except JisikError as exc:
            error = exc.message
        except Exception as exc:
            logger.exception("training job %s failed", job_id)
            error = f"internal error ({type(exc).__name__})"
        finally:
            beat.cancel()
            await asyncio.gather(beat, return_exceptions=True)
        async with self._sessions() as session, session.begin():
            await finish(session, job_id, status, error=error, version_id=version_id, snapshot_id=snapshot_id)
