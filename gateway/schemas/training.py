"""Request and response bodies of /ml: feedback, training jobs, model versions and the rollout."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "FeedbackCreate",
    "FeedbackPublic",
    "JobCreate",
    "JobPublic",
    "ModelsPublic",
    "RollbackBody",
    "TaggerPublic",
    "TaggerVersionPublic",
    "VersionPublic",
]


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


class JobCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["retrieval", "cross_encoder", "field_tagger"] = Field(
        "retrieval", description="retrieval: query adapter + reranker; cross_encoder: a fine-tuned cross-encoder "
        "reranker (within the transformer time budget); field_tagger: a knowledge base's field tagger")
    knowledge_base_id: str | None = Field(None, max_length=36, description="The knowledge base (field_tagger only)")


class JobPublic(BaseModel):
    id: str
    status: str
    parameters: dict[str, Any]
    progress: float
    logs: list[str]
    error: str
    snapshot_id: str
    version_id: str
    attempts: int
    cancel_requested: bool
    created_at: datetime
    updated_at: datetime


class TaggerVersionPublic(BaseModel):
    id: str
    version: int
    snapshot_id: str
    job_id: str
    metrics: dict[str, Any]
    champion_metrics: dict[str, Any]
    artifact_sha256: str
    training_s: float
    aliases: list[str]
    created_at: datetime


class VersionPublic(TaggerVersionPublic):
    """A retrieval model version (``kind``: retrieval or cross_encoder), with its online signals; a fine-tuned
    bi-encoder also with the state of its vectors of the knowledge base (queued, embedding, ready, stale,
    failed; '' when never asked) and the progress of its latest re-embed job."""

    kind: str
    signals: dict[str, float]
    vectors_state: str = ""
    vectors_progress: float = 0.0


class TaggerPublic(BaseModel):
    """A knowledge base with a field schema: its reviewed documents (the tagger's training data) and its
    tagger versions."""

    knowledge_base_id: str
    name: str
    reviewed_documents: int
    versions: list[TaggerVersionPublic]


class ModelsPublic(BaseModel):
    versions: list[VersionPublic]
    taggers: list[TaggerPublic] = Field(default_factory=list)
    champion: str | None
    challenger: str | None
    rollout: dict[str, Any]
    base_signals: dict[str, float]
    training_consent: bool
    data: dict[str, int]


class RollbackBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field("rolled back by hand", max_length=500)
