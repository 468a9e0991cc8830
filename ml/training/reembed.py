"""Serving a fine-tuned bi-encoder: making it the challenger queues a re-embed job, which embeds the
tenant's chunks with the version into its own vectors (``version_vectors``) with progress; the version
takes traffic only once they cover the index (``is_complete``). A version whose index changed since
(new chunks) is stale: it serves nothing until the trainer's scan has embedded the missing chunks."""

from __future__ import annotations

import asyncio
import logging

import numpy as np
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from jisik.db.models import ModelAlias, ModelVersion, TrainingJob
from jisik.errors import Conflict, InvalidInput, NotFound
from jisik.passages import passage_text

from . import registry
from .encoder import VersionEncoder, is_bi_encoder
from .jobs import create_job
from .trainer import Reporter, TrainingOutcome
from .version_vectors import count_missing, generation, is_complete, lock_index, mark, missing, store

__all__ = ["REEMBED", "make_challenger", "queue_stale", "run_reembed"]

logger = logging.getLogger(__name__)
REEMBED = "reembed"
DIMENSION = 384  # the width of retriever_version_vectors.embedding (migration 0020)


async def _bi_encoder(session: AsyncSession, tenant_id: str, version_id: str) -> ModelVersion:
    version = await session.get(ModelVersion, version_id)
    if version is None or version.tenant_id != tenant_id or version.kind != registry.MODEL_NAME:
        raise NotFound(f"model version {version_id} not found", field="version_id")
    if not is_bi_encoder(version.metrics):
        raise InvalidInput("only a fine-tuned bi-encoder needs its own vectors", field="version_id")
    return version


async def _queue(session: AsyncSession, version: ModelVersion) -> TrainingJob:
    await mark(session, version.id, "queued")
    return await create_job(session, version.tenant_id, {"kind": REEMBED, "version_id": version.id})


async def make_challenger(session: AsyncSession, tenant_id: str, version_id: str) -> TrainingJob | None:
    """Make the fine-tuned bi-encoder the challenger at 0%; queue the embedding of the tenant's chunks
    with it unless its vectors are already complete (returns that job). Promote waits for the vectors.

    :raises NotFound: no such retrieval version of the tenant. :raises InvalidInput: not a bi-encoder.
    :raises Conflict: it is the champion already.
    """
    version = await _bi_encoder(session, tenant_id, version_id)
    if (await registry.aliases(session, tenant_id)).get(registry.CHAMPION) == version.id:
        raise Conflict(f"version {version.version} is the champion already", field="version_id")
    await registry.set_challenger(session, tenant_id, version)
    await registry.announce(session, version, "challenger")
    if is_complete(version, await generation(session, tenant_id)):
        return None
    return await _queue(session, version)


async def queue_stale(session: AsyncSession) -> list[str]:
    """Queue a re-embed job for every champion or challenger bi-encoder whose vectors are behind its
    tenant's index and that has no job queued or running. Returns the job ids."""
    rows = (await session.execute(
        select(ModelVersion).join(ModelAlias, col(ModelAlias.version_id) == col(ModelVersion.id))
        .where(col(ModelVersion.vectors_state) == "ready").options(registry.WITHOUT_ARTIFACT)
    )).scalars().all()
    queued = []
    for version in rows:
        if is_complete(version, await generation(session, version.tenant_id)):
            continue
        busy = await session.scalar(select(col(TrainingJob.id)).where(
            col(TrainingJob.tenant_id) == version.tenant_id, col(TrainingJob.status).in_(("queued", "running"))))
        if busy is None:
            queued.append((await _queue(session, version)).id)
    return queued


async def run_reembed(
    sessions: async_sessionmaker[AsyncSession], *, tenant_id: str, version_id: str, reporter: Reporter,
    batch_size: int = 64,
) -> TrainingOutcome:
    """Embed every chunk of the tenant the version has no vector of, then mark the version's vectors
    complete at the index generation seen under the writers' lock.

    :raises NotFound, InvalidInput: not a bi-encoder version of the tenant, or its vectors have another width.
    """
    async with sessions() as session, session.begin():
        version = await _bi_encoder(session, tenant_id, version_id)
        await mark(session, version_id, "embedding")
        total = await count_missing(session, tenant_id, version_id)
    try:
        encoder = await asyncio.to_thread(VersionEncoder, version.artifact, version.artifact_sha256)
        await reporter.log(f"embedding {total} chunks with version {version.version}")
        done = 0
        while True:
            async with sessions() as session, session.begin():
                await lock_index(session, tenant_id)
                batch = await missing(session, tenant_id, version_id, batch_size)
                if not batch.refs:
                    await mark(session, version_id, "ready", await generation(session, tenant_id))
                    break
            texts = [passage_text(title, content) for title, content in zip(batch.titles, batch.contents, strict=True)]
            vectors: np.ndarray = await asyncio.to_thread(encoder.embed, texts)
            if vectors.shape[1] != DIMENSION:
                raise InvalidInput(f"the model gives {vectors.shape[1]}-dimensional vectors; the store holds "
                                   f"{DIMENSION}", field="version_id")
            async with sessions() as session, session.begin():
                await lock_index(session, tenant_id)
                done += await store(session, tenant_id, version_id, batch.refs, vectors)
            await reporter.progress(min(done / max(total, 1), 0.99))
    except BaseException:
        async with sessions() as session, session.begin():
            await mark(session, version_id, "failed")
        raise
    await reporter.log(f"{done} chunks embedded; version {version.version} can take traffic")
    return TrainingOutcome(version_id, version.snapshot_id, False)
