"""Field taggers in the registry: one line of versions per knowledge base, with ``challenger`` (better
than the champion on held-out documents), ``champion`` (what the extractor uses) and ``previous``.

No canary: a tagger reads each document once, at ingest, so there is no session to split traffic by.
Promote makes the challenger the champion at once; rollback drops the challenger or, without one,
gives the champion's place back to the previous champion (or to no tagger)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from fields.tagger_store import tagger_aliases
from jisik.db.models import ModelVersion, TaggerAlias
from jisik.errors import Conflict, NotFound

from .registry import CHALLENGER, CHAMPION, add_version, announce

__all__ = ["FIELD_TAGGER", "PREVIOUS", "promote_tagger", "register_tagger", "rollback_tagger", "tagger_aliases"]

FIELD_TAGGER = "field_tagger"
PREVIOUS = "previous"


async def _set(session: AsyncSession, tenant_id: str, knowledge_base_id: str, alias: str, version_id: str | None) -> None:
    await session.execute(delete(TaggerAlias).where(
        col(TaggerAlias.tenant_id) == tenant_id, col(TaggerAlias.knowledge_base_id) == knowledge_base_id,
        col(TaggerAlias.alias) == alias))
    if version_id:
        session.add(TaggerAlias(tenant_id=tenant_id, knowledge_base_id=knowledge_base_id, alias=alias,
                                version_id=version_id))
        await session.flush()


async def register_tagger(
    session: AsyncSession, *, tenant_id: str, knowledge_base_id: str, artifact: bytes, snapshot_id: str, job_id: str,
    metrics: dict[str, Any], champion_metrics: dict[str, Any], training_s: float, challenger: bool,
) -> ModelVersion:
    """Store a tagger version; with ``challenger`` it becomes the knowledge base's challenger."""
    version = await add_version(session, ModelVersion(
        tenant_id=tenant_id, version=0, kind=FIELD_TAGGER, knowledge_base_id=knowledge_base_id,
        snapshot_id=snapshot_id, job_id=job_id, metrics=metrics, champion_metrics=champion_metrics,
        artifact=artifact, artifact_sha256="", training_s=round(training_s, 3),
    ), challenger=challenger)
    if challenger:
        await _set(session, tenant_id, knowledge_base_id, CHALLENGER, version.id)
    return version


async def promote_tagger(session: AsyncSession, tenant_id: str, knowledge_base_id: str) -> dict[str, str]:
    """:raises Conflict: the knowledge base has no challenger tagger."""
    named = await tagger_aliases(session, tenant_id, knowledge_base_id)
    if CHALLENGER not in named:
        raise Conflict("there is no challenger tagger to promote; train one first", field="challenger")
    await _set(session, tenant_id, knowledge_base_id, PREVIOUS, named.get(CHAMPION))
    await _set(session, tenant_id, knowledge_base_id, CHAMPION, named[CHALLENGER])
    await _set(session, tenant_id, knowledge_base_id, CHALLENGER, None)
    promoted = await session.get(ModelVersion, named[CHALLENGER])
    assert promoted is not None
    await announce(session, promoted, "promoted")
    return await tagger_aliases(session, tenant_id, knowledge_base_id)


async def rollback_tagger(session: AsyncSession, tenant_id: str, knowledge_base_id: str) -> dict[str, str]:
    """:raises NotFound: neither a challenger nor a champion."""
    named = await tagger_aliases(session, tenant_id, knowledge_base_id)
    if CHALLENGER in named:
        rolled_back = named[CHALLENGER]
        await _set(session, tenant_id, knowledge_base_id, CHALLENGER, None)
    elif CHAMPION in named:
        rolled_back = named[CHAMPION]
        await _set(session, tenant_id, knowledge_base_id, CHAMPION, named.get(PREVIOUS))
        await _set(session, tenant_id, knowledge_base_id, PREVIOUS, None)
    else:
        raise NotFound("no field tagger serves this knowledge base; nothing to roll back", field="version")
    version = await session.get(ModelVersion, rolled_back)
    assert version is not None
    await announce(session, version, "rolled_back")
    return await tagger_aliases(session, tenant_id, knowledge_base_id)
