"""Request and response bodies of /ml: feedback, training jobs, model versions and the rollout."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["FeedbackCreate", "FeedbackPublic", "JobPublic", "ModelsPublic", "RollbackBody", "VersionPublic"]


class FeedbackCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message_id: str = Field(max_length=36, description="The answer (assistant message)")
    citation: int = Field(0, ge=0, le=1000, description="0 for the answer itself, n for its citation [n]")
    rating: Literal["up", "down"]


class FeedbackPublic(BaseModel):
    message_id: str
    citation: int
    rating: Literal["up", "down"]
    model_version_id: str


class JobPublic(BaseModel):
    id: str
    status: str
    progress: float
    logs: list[str]
    error: str
    snapshot_id: str
    version_id: str
    attempts: int
    cancel_requested: bool
    created_at: datetime
    updated_at: datetime


class VersionPublic(BaseModel):
    id: str
    version: int
    snapshot_id: str
    job_id: str
    metrics: dict[str, Any]
    champion_metrics: dict[str, Any]
    artifact_sha256: str
    training_s: float
    aliases: list[str]
    signals: dict[str, float]
    created_at: datetime


class ModelsPublic(BaseModel):
    versions: list[VersionPublic]
    champion: str | None
    challenger: str | None
    rollout: dict[str, Any]
    base_signals: dict[str, float]
    training_consent: bool
    data: dict[str, int]


class RollbackBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field("rolled back by hand", max_length=500)
