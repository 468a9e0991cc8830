"""The registry of tuned models in PostgreSQL: versions with metrics, snapshot and artifact checksum,
the ``champion`` / ``challenger`` aliases and the canary rollout between them.

Every change is one transaction that also stages its announcements: ``ml.models.registered`` on Kafka
(through the outbox) for a new version, and the ``ml.model.updated`` webhook for every change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute, defer
from sqlmodel import col

from jisik.db.models import ModelAlias, ModelVersion, Rollout
from jisik.db.outbox import add_record
from jisik.errors import Conflict, NotFound
from jisik.events import Topic
from jisik.webhooks import EventType, ModelUpdated, stage_webhook_event

from .bundle import checksum
from .encoder import is_bi_encoder
from .version_vectors import generation, is_complete

__all__ = [
    "CHALLENGER",
    "CHAMPION",
    "WITHOUT_ARTIFACT",
    "Serving",
    "add_version",
    "aliases",
    "announce",
    "promote",
    "register",
    "rollback",
    "serving_state",
    "set_challenger",
]

# Loads a version without its artifact (tens of megabytes); touching ``artifact`` then raises.
WITHOUT_ARTIFACT = defer(cast("QueryableAttribute[bytes]", ModelVersion.artifact), raiseload=True)

CHAMPION = "champion"
CHALLENGER = "challenger"
MODEL_NAME = "retrieval"


@dataclass(frozen=True, slots=True)
class Serving:
    """What serves a tenant: the champion, the challenger and the challenger's share of sessions."""

    champion: ModelVersion | None
    challenger: ModelVersion | None
    rollout: Rollout | None

    @property
    def percent(self) -> int:
        if self.challenger is None or self.rollout is None or self.rollout.state != "canary":
            return 0
        return self.rollout.percent


def _headline(metrics: dict[str, Any]) -> dict[str, float]:
    if "entity" in metrics:
        return {f"entity_{name}": float(metrics["entity"][name]) for name in ("f1", "precision", "recall")}
    reranked = metrics.get("reranked", {})
    return {f"reranked_{name}": float(value) for name, value in reranked.items()}


async def announce(session: AsyncSession, version: ModelVersion, action: str) -> None:
    """Stage the ``ml.model.updated`` webhook for a change of ``version``."""
    await stage_webhook_event(
        session, version.tenant_id, EventType.ML_MODEL_UPDATED,
        ModelUpdated(model_id=version.id, name=version.kind or MODEL_NAME, model_version=str(version.version),
                     action=action, metrics=_headline(version.metrics)),
    )


async def aliases(session: AsyncSession, tenant_id: str) -> dict[str, str]:
    rows = await session.scalars(select(ModelAlias).where(col(ModelAlias.tenant_id) == tenant_id))
    return {row.alias: row.version_id for row in rows}


async def _set_alias(session: AsyncSession, tenant_id: str, alias: str, version_id: str | None) -> None:
    await session.execute(delete(ModelAlias).where(col(ModelAlias.tenant_id) == tenant_id, col(ModelAlias.alias) == alias))
    if version_id:
        session.add(ModelAlias(tenant_id=tenant_id, alias=alias, version_id=version_id))
        await session.flush()


async def _rollout(session: AsyncSession, tenant_id: str) -> Rollout:
    rollout = await session.get(Rollout, tenant_id, with_for_update=True)
    if rollout is None:
        rollout = Rollout(tenant_id=tenant_id)
        session.add(rollout)
    return rollout


async def serving_state(session: AsyncSession, tenant_id: str, *, artifacts: bool = True) -> Serving:
    """The tenant's champion, challenger and rollout; without ``artifacts`` the versions' artifacts (tens
    of megabytes each) are not read (``artifact`` must then not be touched)."""
    named = await aliases(session, tenant_id)
    options = [] if artifacts else [WITHOUT_ARTIFACT]
    champion = await session.get(ModelVersion, named[CHAMPION], options=options) if CHAMPION in named else None
    challenger = await session.get(ModelVersion, named[CHALLENGER], options=options) if CHALLENGER in named else None
    return Serving(champion, challenger, await session.get(Rollout, tenant_id))


async def register(
    session: AsyncSession, *, tenant_id: str, artifact: bytes, snapshot_id: str, job_id: str,
    metrics: dict[str, Any], champion_metrics: dict[str, Any], training_s: float, challenger: bool,
    kind: str = MODEL_NAME,
) -> ModelVersion:
    """Store a new version (number = last + 1) of ``kind`` with its ``artifact`` (a ``TunedBundle``'s bytes,
    or a fine-tuned transformer's or cross-encoder's archive); with ``challenger`` it becomes the challenger
    at 0% (promote starts its canary)."""
    version = await add_version(
        session, ModelVersion(tenant_id=tenant_id, kind=kind, snapshot_id=snapshot_id, job_id=job_id, metrics=metrics,
                              champion_metrics=champion_metrics, artifact=artifact, artifact_sha256="",
                              training_s=round(training_s, 3), version=0), challenger=challenger)
    if challenger:
        await set_challenger(session, tenant_id, version)
    return version


async def set_challenger(session: AsyncSession, tenant_id: str, version: ModelVersion) -> None:
    """``version`` becomes the challenger at 0% (promote starts its canary)."""
    await _set_alias(session, tenant_id, CHALLENGER, version.id)
    rollout = await _rollout(session, tenant_id)
    rollout.percent, rollout.state, rollout.reason, rollout.breach_since = 0, "canary", "", None


async def add_version(session: AsyncSession, version: ModelVersion, *, challenger: bool) -> ModelVersion:
    """Number ``version`` (the tenant's last + 1), checksum its artifact, store it and stage its
    ``ml.models.registered`` record and ``registered`` webhook."""
    version.version = (await session.scalar(
        select(func.max(col(ModelVersion.version))).where(col(ModelVersion.tenant_id) == version.tenant_id)
    ) or 0) + 1
    version.artifact_sha256 = checksum(version.artifact)
    session.add(version)
    await session.flush()
    add_record(
        session, tenant_id=version.tenant_id, topic=Topic.ML_MODELS_REGISTERED, aggregate_type="model_version",
        aggregate_id=version.id,
        payload={"schema_version": 1, "tenant_id": version.tenant_id, "version_id": version.id,
                 "version": version.version, "kind": version.kind, "knowledge_base_id": version.knowledge_base_id,
                 "snapshot_id": version.snapshot_id, "artifact_sha256": version.artifact_sha256,
                 "challenger": challenger, "metrics": version.metrics},
    )
    await announce(session, version, "registered")
    return version


async def promote(session: AsyncSession, tenant_id: str, steps: tuple[int, ...]) -> Serving:
    """Move the challenger to the next canary step; the last step (100%) makes it the champion.

    :raises Conflict: there is no challenger.
    """
    state = await serving_state(session, tenant_id, artifacts=False)
    if state.challenger is None:
        raise Conflict("there is no challenger to promote; train a model first", field="challenger")
    if is_bi_encoder(state.challenger.metrics) and not is_complete(state.challenger, await generation(session, tenant_id)):
        raise Conflict("the challenger's vectors of the knowledge base are not complete yet; promote once its "
                       "re-embed job has finished", field="challenger")
    rollout = await _rollout(session, tenant_id)
    current = rollout.percent if rollout.state == "canary" else 0
    following = next((step for step in steps if step > current), 100)
    if following >= 100:
        rollout.previous_version_id = state.champion.id if state.champion else ""
        await _set_alias(session, tenant_id, CHAMPION, state.challenger.id)
        await _set_alias(session, tenant_id, CHALLENGER, None)
        rollout.percent, rollout.state, rollout.reason = 100, "promoted", ""
        await announce(session, state.challenger, "promoted")
    else:
        rollout.percent, rollout.state, rollout.reason = following, "canary", ""
        await announce(session, state.challenger, "canary")
    rollout.breach_since = None
    await session.flush()
    return await serving_state(session, tenant_id, artifacts=False)


async def rollback(session: AsyncSession, tenant_id: str, reason: str) -> Serving:
    """Stop the challenger's canary; without a challenger, give the champion's place back to the one
    before it (or to the base models).

    :raises Conflict: nothing to roll back.
    """
    state = await serving_state(session, tenant_id, artifacts=False)
    rollout = await _rollout(session, tenant_id)
    if state.challenger is not None:
        await _set_alias(session, tenant_id, CHALLENGER, None)
        rolled_back = state.challenger
    elif state.champion is not None:
        previous = rollout.previous_version_id
        await _set_alias(session, tenant_id, CHAMPION, previous or None)
        rollout.previous_version_id = ""
        rolled_back = state.champion
    else:
        raise NotFound("no tuned model serves this tenant; nothing to roll back", field="version")
    rollout.percent, rollout.state, rollout.reason, rollout.breach_since = 0, "rolled_back", reason, None
    await announce(session, rolled_back, "rolled_back")
    await session.flush()
    return await serving_state(session, tenant_id, artifacts=False)
