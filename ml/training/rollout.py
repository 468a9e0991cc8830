"""Canary routing and the automatic rollback.

A session is served by the challenger when its bucket (a hash of the session id, 0-99) is below the
rollout's percent: the same session always gets the same version. The watch compares the challenger's
online signals with the champion's over a window (no-answer rate, latency p95, share of citation thumbs
down) and rolls the challenger back once a breach has lasted ``rollback_breach_s``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from jisik.db.models import AnswerFeedback, Rollout, ServingSignal
from jisik.settings import TrainingSettings

from .registry import rollback, serving_state

__all__ = ["Signals", "bucket", "judge", "signals_since", "watch_rollout"]


def bucket(session_id: str) -> int:
    """The session's canary bucket, 0-99, the same on every gateway."""
    return int.from_bytes(hashlib.sha256(session_id.encode()).digest()[:8], "big") % 100


@dataclass(frozen=True, slots=True)
class Signals:
    answers: int
    no_answer_rate: float
    latency_p95_ms: float
    thumbs: int
    thumbs_down_rate: float

    def to_dict(self) -> dict[str, float]:
        return {"answers": self.answers, "no_answer_rate": round(self.no_answer_rate, 4),
                "latency_p95_ms": round(self.latency_p95_ms, 1), "thumbs": self.thumbs,
                "thumbs_down_rate": round(self.thumbs_down_rate, 4)}


async def signals_since(session: AsyncSession, tenant_id: str, version_id: str, since: datetime) -> Signals:
    rows = (await session.execute(
        select(col(ServingSignal.latency_ms), col(ServingSignal.no_answer)).where(
            col(ServingSignal.tenant_id) == tenant_id, col(ServingSignal.version_id) == version_id,
            col(ServingSignal.created_at) >= since,
        )
    )).all()
    ratings = list(await session.scalars(
        select(col(AnswerFeedback.rating)).where(
            col(AnswerFeedback.tenant_id) == tenant_id, col(AnswerFeedback.model_version_id) == version_id,
            col(AnswerFeedback.citation) > 0, col(AnswerFeedback.created_at) >= since,
        )
    ))
    latencies = np.asarray([row[0] for row in rows], dtype=np.float64)
    return Signals(
        answers=len(rows),
        no_answer_rate=sum(1 for row in rows if row[1]) / len(rows) if rows else 0.0,
        latency_p95_ms=float(np.percentile(latencies, 95)) if len(latencies) else 0.0,
        thumbs=len(ratings),
        thumbs_down_rate=sum(1 for rating in ratings if rating < 0) / len(ratings) if ratings else 0.0,
    )


def judge(champion: Signals, challenger: Signals, settings: TrainingSettings) -> str | None:
    """Why the challenger is worse than allowed, or None (also when either has too few answers)."""
    if min(champion.answers, challenger.answers) < settings.rollback_min_answers:
        return None
    if challenger.no_answer_rate > champion.no_answer_rate + settings.max_no_answer_increase:
        return (f"no-answer rate {challenger.no_answer_rate:.0%} against the champion's "
                f"{champion.no_answer_rate:.0%}")
    if challenger.latency_p95_ms > champion.latency_p95_ms * settings.max_latency_ratio:
        return f"latency p95 {challenger.latency_p95_ms:.0f} ms against the champion's {champion.latency_p95_ms:.0f} ms"
    if challenger.thumbs and challenger.thumbs_down_rate > champion.thumbs_down_rate + settings.max_thumbs_down_increase:
        return (f"citation thumbs down {challenger.thumbs_down_rate:.0%} against the champion's "
                f"{champion.thumbs_down_rate:.0%}")
    return None


async def watch_rollout(session: AsyncSession, tenant_id: str, settings: TrainingSettings, now: datetime) -> str | None:
    """Judge the tenant's canary once; returns the rollback reason when it rolled the challenger back."""
    state = await serving_state(session, tenant_id, artifacts=False)
    rollout = await session.get(Rollout, tenant_id, with_for_update=True)
    if state.challenger is None or rollout is None or state.percent == 0:
        return None
    since = now - timedelta(seconds=settings.rollback_window_s)
    champion_id = state.champion.id if state.champion else ""
    breach = judge(
        await signals_since(session, tenant_id, champion_id, since),
        await signals_since(session, tenant_id, state.challenger.id, since),
        settings,
    )
    if breach is None:
        rollout.breach_since = None
        return None
    if rollout.breach_since is None:
        rollout.breach_since = now
    if (now - rollout.breach_since).total_seconds() < settings.rollback_breach_s:
        return None
    reason = f"automatic rollback: {breach} for {settings.rollback_breach_s:g}s"
    await rollback(session, tenant_id, reason)
    return reason
