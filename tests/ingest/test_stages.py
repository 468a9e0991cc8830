"""Stage handlers against the real PostgreSQL: version guards, validation checks, chunk upserts."""

from __future__ import annotations

import pytest
from ingest_helpers import Workspace, tenant_docs
from sqlalchemy import select, update
from sqlmodel import col

from ingest.checks import ValidationFailed
from ingest.context import IngestContext
from ingest.keys import chunk_id
from ingest.repository import claim, replace_chunks
from ingest.stages import ValidateStage
from ingest.topology import stage_named
from jisik.clients.bundle import ServiceClients
from jisik.db.models import Chunk, Knowledge, ParseStatus
from jisik.events import DocumentParsed, DocumentUploaded, DocumentValidated

pytestmark = pytest.mark.integration


def _rows(doc: Knowledge, texts: list[str], version: int = 1) -> list[dict[str, object]]:
    return [{"id": chunk_id(doc.id, version, i), "tenant_id": doc.tenant_id, "knowledge_base_id": doc.knowledge_base_id,
             "knowledge_id": doc.id, "content": t, "chunk_index": i, "start_at": 0, "end_at": len(t), "pages": [1],
             "chunk_type": "text", "image_info": [], "is_enabled": True} for i, t in enumerate(texts)]


async def _parsed(ws: Workspace, doc: Knowledge, texts: list[str], content_hash: str) -> DocumentParsed:
    async with ws.sessions.begin() as session:
        await replace_chunks(session, doc.id, _rows(doc, texts))
        await session.execute(update(Knowledge).where(col(Knowledge.id) == doc.id).values(
            parse_status=ParseStatus.VALIDATING, chunk_count=len(texts),
            metadata_={**doc.metadata_, "content_hash": content_hash}))
    return DocumentParsed(tenant_id=doc.tenant_id, knowledge_base_id=doc.knowledge_base_id, knowledge_id=doc.id,
                          version=doc.version, page_count=1, chunk_count=len(texts), content_hash=content_hash)


async def _row(ws: Workspace, knowledge_id: str) -> Knowledge:
    async with ws.sessions() as session:
        row = await session.get(Knowledge, knowledge_id)
    assert row is not None
    return row


class TestRepository:
    async def test_claim_ignores_stale_versions_and_other_tenants(self, workspace: Workspace) -> None:
        [doc] = await tenant_docs(workspace.sessions, workspace, 1)
        stage = stage_named("parse")
        base = {"knowledge_base_id": doc.knowledge_base_id, "knowledge_id": doc.id}
        async with workspace.sessions.begin() as session:
            await session.execute(update(Knowledge).where(col(Knowledge.id) == doc.id).values(version=2))
            assert await claim(session, DocumentUploaded(tenant_id=doc.tenant_id, version=1, **base),
                               entry=stage.entry, working=stage.working) is None
            assert await claim(session, DocumentUploaded(tenant_id=workspace.other_tenant_id, version=2, **base),
                               entry=stage.entry, working=stage.working) is None
            claimed = await claim(session, DocumentUploaded(tenant_id=doc.tenant_id, version=2, **base),
                                  entry=stage.entry, working=stage.working)
        assert claimed is not None and claimed.parse_status == ParseStatus.PARSING

    async def test_replace_chunks_is_an_idempotent_swap(self, workspace: Workspace) -> None:
        [doc] = await tenant_docs(workspace.sessions, workspace, 1)
        for _ in range(2):
            async with workspace.sessions.begin() as session:
                await replace_chunks(session, doc.id, _rows(doc, ["a", "b", "c"]))
        async with workspace.sessions.begin() as session:
            await replace_chunks(session, doc.id, _rows(doc, ["new a", "new b"], version=2))
        async with workspace.sessions() as session:
            chunks = list((await session.execute(
                select(Chunk).where(col(Chunk.knowledge_id) == doc.id).order_by(col(Chunk.chunk_index)))).scalars())
        assert [(c.id, c.content) for c in chunks] == [(chunk_id(doc.id, 2, 0), "new a"), (chunk_id(doc.id, 2, 1), "new b")]


class TestValidateStage:
    def _stage(self, ws: Workspace) -> ValidateStage:
        return ValidateStage(IngestContext(ws.settings, ws.sessions, ServiceClients.open(ws.settings, timeout_s=5)))

    async def test_detects_language_and_moves_on(self, workspace: Workspace) -> None:
        [doc] = await tenant_docs(workspace.sessions, workspace, 1)
        event = await _parsed(workspace, doc, ["회사 규정에 따라 연차는 매년 열다섯 일이 주어집니다.", "신청은 인사팀에 합니다."], "h-ko")
        out = await self._stage(workspace).handle(event)
        assert isinstance(out, DocumentValidated) and out.language == "ko" and out.chunk_count == 2
        row = await _row(workspace, doc.id)
        assert row.parse_status == ParseStatus.EMBEDDING and row.metadata_["language"] == "ko"

    async def test_empty_text_fails_in_words(self, workspace: Workspace) -> None:
        [doc] = await tenant_docs(workspace.sessions, workspace, 1)
        event = await _parsed(workspace, doc, ["   ", "\n"], "h-empty")
        with pytest.raises(ValidationFailed, match="no readable text"):
            await self._stage(workspace).handle(event)
        row = await _row(workspace, doc.id)
        assert row.parse_status == ParseStatus.FAILED and "no readable text" in row.error_message

    async def test_duplicate_content_links_the_original(self, workspace: Workspace) -> None:
        first, second = await tenant_docs(workspace.sessions, workspace, 2)
        stage = self._stage(workspace)
        assert await stage.handle(await _parsed(workspace, first, ["same words here"], "h-dup")) is not None
        with pytest.raises(ValidationFailed) as caught:
            await stage.handle(await _parsed(workspace, second, ["same words here"], "h-dup"))
        assert caught.value.duplicate_of == first.id
        row = await _row(workspace, second.id)
        assert row.parse_status == ParseStatus.FAILED and row.duplicate_of == first.id

    async def test_stale_event_is_dropped(self, workspace: Workspace) -> None:
        [doc] = await tenant_docs(workspace.sessions, workspace, 1)
        event = await _parsed(workspace, doc, ["text"], "h-stale")
        async with workspace.sessions.begin() as session:
            await session.execute(update(Knowledge).where(col(Knowledge.id) == doc.id).values(version=2))
        assert await self._stage(workspace).handle(event) is None
        assert (await _row(workspace, doc.id)).parse_status == ParseStatus.VALIDATING
