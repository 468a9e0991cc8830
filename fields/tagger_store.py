"""Which field tagger a knowledge base uses: its ``champion`` alias in the registry, loaded once per
version (the artifact's checksum verified) and kept. A version that cannot be loaded is skipped, so
extraction goes on with the labels alone."""

from __future__ import annotations

import hashlib
import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from jisik.db.models import ModelVersion, TaggerAlias
from jisik.errors import InvalidInput

from .tagger import FieldTagger

__all__ = ["TaggerCache", "tagger_aliases"]

logger = logging.getLogger(__name__)
_KEPT_VERSIONS = 32


async def tagger_aliases(session: AsyncSession, tenant_id: str, knowledge_base_id: str) -> dict[str, str]:
    """alias -> version id of the knowledge base's taggers."""
    rows = await session.scalars(select(TaggerAlias).where(
        col(TaggerAlias.tenant_id) == tenant_id, col(TaggerAlias.knowledge_base_id) == knowledge_base_id))
    return {row.alias: row.version_id for row in rows}


class TaggerCache:
    def __init__(self) -> None:
        self._loaded: dict[str, FieldTagger | None] = {}

    async def champion(self, session: AsyncSession, tenant_id: str, knowledge_base_id: str) -> FieldTagger | None:
        """The knowledge base's champion tagger, None when it has none (or it cannot be loaded)."""
        version_id = (await tagger_aliases(session, tenant_id, knowledge_base_id)).get("champion")
        if version_id is None:
            return None
        if version_id not in self._loaded:
            row = await session.get(ModelVersion, version_id)
            self._loaded[version_id] = self._load(row) if row is not None and row.tenant_id == tenant_id else None
            while len(self._loaded) > _KEPT_VERSIONS:
                self._loaded.pop(next(iter(self._loaded)))
        return self._loaded[version_id]

    @staticmethod
    def _load(row: ModelVersion) -> FieldTagger | None:
        try:
            if hashlib.sha256(row.artifact).hexdigest() != row.artifact_sha256:
                raise InvalidInput("the tagger artifact does not match its checksum", field="artifact")
            return FieldTagger(row.artifact)
        except InvalidInput as exc:
            logger.error("field tagger %s is not used: %s", row.id, exc.message)
            return None
