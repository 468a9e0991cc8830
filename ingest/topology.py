"""The pipeline's stages: which topic each consumes, its consumer group, and the statuses it owns."""

from __future__ import annotations

from dataclasses import dataclass

from jisik.db.models import ParseStatus
from jisik.events import Topic

__all__ = ["STAGES", "TERMINAL", "Stage", "stage_named"]


@dataclass(frozen=True)
class Stage:
    name: str
    consumes: Topic
    produces: Topic
    group_id: str
    # Status while the stage works, and the statuses from which it may pick a document up.
    working: ParseStatus
    entry: frozenset[ParseStatus]


STAGES: tuple[Stage, ...] = (
    Stage("parse", Topic.DOCUMENTS_UPLOADED, Topic.DOCUMENTS_PARSED, "jisik-ingest-parse",
          ParseStatus.PARSING, frozenset({ParseStatus.PENDING, ParseStatus.PARSING})),
    Stage("validate", Topic.DOCUMENTS_PARSED, Topic.DOCUMENTS_VALIDATED, "jisik-ingest-validate",
          ParseStatus.VALIDATING, frozenset({ParseStatus.VALIDATING})),
    Stage("index", Topic.DOCUMENTS_VALIDATED, Topic.DOCUMENTS_INDEXED, "jisik-ingest-index",
          ParseStatus.EMBEDDING, frozenset({ParseStatus.EMBEDDING, ParseStatus.INDEXING})),
)

TERMINAL = frozenset({ParseStatus.COMPLETED, ParseStatus.FAILED, ParseStatus.DRAFT})


def stage_named(name: str) -> Stage:
    for stage in STAGES:
        if stage.name == name:
            return stage
    raise KeyError(f"no ingest stage named {name!r}; stages: {', '.join(s.name for s in STAGES)}")
