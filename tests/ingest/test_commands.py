"""The gateway-facing commands against the real PostgreSQL: rows, outbox events, tenancy, bad input."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from ingest_helpers import Workspace
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import func, select, text, update
from sqlmodel import col

from ingest import commands
from jisik.db.models import Knowledge, OutboxEvent, ParseStatus, Tenant
from jisik.errors import Blocked, InvalidInput, NotFound, TooLarge, UnsupportedFormat
from jisik.events import Topic
from jisik.settings import GatewaySettings
from jisik.storage import LocalStore

pytestmark = pytest.mark.integration


async def _outbox(ws: Workspace, knowledge_id: str) -> list[OutboxEvent]:
    async with ws.sessions() as session:
        rows = await session.execute(
            select(OutboxEvent).where(col(OutboxEvent.aggregate_id) == knowledge_id).order_by(col(OutboxEvent.created_at))
        )
        return list(rows.scalars())


def _stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


async def _count(ws: Workspace, model: type[Knowledge]) -> int:
    """Rows of this workspace's tenants (the database is shared by the module's tests)."""
    query = select(func.count()).select_from(model).where(col(model.tenant_id).in_([ws.tenant_id, ws.other_tenant_id]))
    async with ws.sessions() as session:
        return int((await session.execute(query)).scalar_one())


class TestImportUrl:
    async def test_writes_pending_row_and_uploaded_event_with_traceparent(self, workspace: Workspace) -> None:
        provider = TracerProvider()
        with provider.get_tracer("t").start_as_current_span("upload"):
            async with workspace.sessions.begin() as session:
                knowledge = await commands.import_url(
                    session, tenant_id=workspace.tenant_id, knowledge_base=workspace.knowledge_base,
                    url="https://example.com/guide", title="  Guide  ", settings=workspace.settings,
                )
        assert knowledge.parse_status == ParseStatus.PENDING and knowledge.title == "Guide"
        [event] = await _outbox(workspace, knowledge.id)
        assert event.event_type == Topic.DOCUMENTS_UPLOADED.value
        assert event.tenant_id == workspace.tenant_id
        assert event.payload["source_url"] == "https://example.com/guide"
        assert event.payload["version"] == 1 and event.payload["schema_version"] == 1
        assert event.headers["traceparent"].startswith("00-")
        assert trace.get_current_span() is not None

    @pytest.mark.parametrize(
        ("url", "error"),
        [("ftp://example.com/a", InvalidInput), ("not a url", InvalidInput), ("http://user:pw@example.com", InvalidInput),
         ("http://localhost:8080/admin", Blocked), ("http://10.0.0.5/", Blocked), ("http://[::1]/", Blocked),
         ("http://169.254.169.254/latest/meta-data", Blocked), ("http://localhost.:8080/", Blocked),
         ("http://2130706433/", InvalidInput), ("http://[::ffff:127.0.0.1]/", Blocked)],
    )
    async def test_rejects_bad_and_private_urls(self, workspace: Workspace, url: str, error: type) -> None:
        with pytest.raises(error):
            async with workspace.sessions.begin() as session:
                await commands.import_url(session, tenant_id=workspace.tenant_id,
                                          knowledge_base=workspace.knowledge_base, url=url, title="",
                                          settings=workspace.settings)
        assert await _count(workspace, Knowledge) == 0


class TestManualKnowledge:
    async def test_draft_is_stored_without_event(self, workspace: Workspace) -> None:
        async with workspace.sessions.begin() as session:
            draft = await commands.create_manual(session, tenant_id=workspace.tenant_id,
                                                 knowledge_base=workspace.knowledge_base, title="사내 규정",
                                                 content="# 휴가\n연차는 15일", publish=False)
        assert draft.parse_status == ParseStatus.DRAFT
        assert draft.metadata_["content"].startswith("# 휴가") and "published_content" not in draft.metadata_
        assert await _outbox(workspace, draft.id) == []

    async def test_publish_edit_and_republish_bump_the_version(self, workspace: Workspace) -> None:
        async with workspace.sessions.begin() as session:
            doc = await commands.create_manual(session, tenant_id=workspace.tenant_id,
                                               knowledge_base=workspace.knowledge_base, title="FAQ",
                                               content="v1 text", publish=True)
        assert doc.parse_status == ParseStatus.PENDING and doc.version == 1
        async with workspace.sessions.begin() as session:
            await session.execute(
                update(Knowledge).where(col(Knowledge.id) == doc.id).values(parse_status=ParseStatus.COMPLETED))
        async with workspace.sessions.begin() as session:
            saved = await commands.update_manual(session, tenant_id=workspace.tenant_id, knowledge_id=doc.id,
                                                 title="FAQ", content="v2 draft", publish=False)
        # Saving keeps the published version live; only publishing re-runs the pipeline.
        assert saved.parse_status == ParseStatus.COMPLETED and saved.version == 1
        assert saved.metadata_["published_content"] == "v1 text" and saved.metadata_["content"] == "v2 draft"
        async with workspace.sessions.begin() as session:
            published = await commands.update_manual(session, tenant_id=workspace.tenant_id, knowledge_id=doc.id,
                                                     title="FAQ 2", content="v2 final", publish=True)
        assert published.version == 2 and published.parse_status == ParseStatus.PENDING
        assert published.metadata_["published_content"] == "v2 final"
        events = await _outbox(workspace, doc.id)
        assert [e.payload["version"] for e in events] == [1, 2]

    async def test_draft_from_chat_answer(self, workspace: Workspace) -> None:
        async with workspace.sessions.begin() as session:
            draft = await commands.draft_from_answer(session, tenant_id=workspace.tenant_id,
                                                     knowledge_base=workspace.knowledge_base,
                                                     question="연차는 며칠인가요?", answer="연차는 15일입니다 [1].")
        assert draft.parse_status == ParseStatus.DRAFT and draft.title == "연차는 며칠인가요?"
        assert "15일" in draft.metadata_["content"] and draft.metadata_["origin"] == "chat_answer"
        with pytest.raises(InvalidInput):
            async with workspace.sessions.begin() as session:
                await commands.draft_from_answer(session, tenant_id=workspace.tenant_id,
                                                 knowledge_base=workspace.knowledge_base, question="q", answer="  ")

    async def test_rejects_empty_title_and_huge_content(self, workspace: Workspace) -> None:
        for title, content, error in (("  ", "x", InvalidInput), ("t", "x" * 1_000_001, TooLarge)):
            with pytest.raises(error):
                async with workspace.sessions.begin() as session:
                    await commands.create_manual(session, tenant_id=workspace.tenant_id,
                                                 knowledge_base=workspace.knowledge_base, title=title,
                                                 content=content, publish=True)
        assert await _count(workspace, Knowledge) == 0


class TestReprocessAndTenancy:
    async def _published(self, ws: Workspace) -> Knowledge:
        async with ws.sessions.begin() as session:
            return await commands.create_manual(session, tenant_id=ws.tenant_id, knowledge_base=ws.knowledge_base,
                                                title="doc", content="body", publish=True)

    async def test_reprocess_bumps_version_and_queues_again(self, workspace: Workspace) -> None:
        doc = await self._published(workspace)
        async with workspace.sessions.begin() as session:
            again = await commands.reprocess(session, tenant_id=workspace.tenant_id, knowledge_id=doc.id)
        assert again.version == 2
        assert [e.payload["version"] for e in await _outbox(workspace, doc.id)] == [1, 2]

    async def test_reprocess_refuses_a_draft(self, workspace: Workspace) -> None:
        async with workspace.sessions.begin() as session:
            draft = await commands.create_manual(session, tenant_id=workspace.tenant_id,
                                                 knowledge_base=workspace.knowledge_base, title="d", content="c",
                                                 publish=False)
        with pytest.raises(InvalidInput, match="draft"):
            async with workspace.sessions.begin() as session:
                await commands.reprocess(session, tenant_id=workspace.tenant_id, knowledge_id=draft.id)

    async def test_another_tenants_ids_are_not_found(self, workspace: Workspace) -> None:
        doc = await self._published(workspace)
        with pytest.raises(NotFound):
            async with workspace.sessions.begin() as session:
                await commands.reprocess(session, tenant_id=workspace.other_tenant_id, knowledge_id=doc.id)
        with pytest.raises(NotFound):
            async with workspace.sessions.begin() as session:
                await commands.update_manual(session, tenant_id=workspace.other_tenant_id, knowledge_id=doc.id,
                                             title="x", content="hijack", publish=True)
        with pytest.raises(NotFound):
            async with workspace.sessions.begin() as session:
                await commands.create_manual(session, tenant_id=workspace.tenant_id,
                                             knowledge_base=workspace.other_knowledge_base, title="x", content="y",
                                             publish=True)
        async with workspace.sessions() as session:
            unchanged = await session.get(Knowledge, doc.id)
        assert unchanged is not None and unchanged.version == 1 and unchanged.metadata_["content"] == "body"

    async def test_delete_touches_no_index(self, workspace: Workspace) -> None:
        """The index follows the commit through CDC, so a delete needs no retriever (none runs here)."""
        doc = await self._published(workspace)
        removed: list[str] = []

        class _Store:
            async def delete_prefix(self, prefix: str) -> int:
                removed.append(prefix)
                return 0

        async with workspace.sessions.begin() as session:
            await commands.delete_knowledge(session, _Store(), tenant_id=workspace.tenant_id,  # type: ignore[arg-type]  # _Store has only the delete_prefix half of the object store
                                            knowledge_id=doc.id)
        assert await _count(workspace, Knowledge) == 0
        assert len(removed) == 1 and doc.id in removed[0]


@pytest.fixture
async def refusing_outbox(workspace: Workspace) -> AsyncIterator[None]:
    """A real database failure on every outbox insert, for the length of one test."""
    async with workspace.sessions.begin() as session:
        await session.execute(text(
            "CREATE OR REPLACE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'outbox down'; END $$ "
            "LANGUAGE plpgsql"))
        await session.execute(text("CREATE TRIGGER refuse BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION refuse()"))
    yield
    async with workspace.sessions.begin() as session:
        await session.execute(text("DROP TRIGGER refuse ON outbox"))


class TestTransactional:
    @pytest.mark.usefixtures("refusing_outbox")
    async def test_failed_outbox_insert_leaves_no_knowledge_row(self, workspace: Workspace) -> None:
        with pytest.raises(Exception, match="outbox down"):
            async with workspace.sessions.begin() as session:
                await commands.create_manual(session, tenant_id=workspace.tenant_id,
                                             knowledge_base=workspace.knowledge_base, title="t", content="c",
                                             publish=True)
        assert await _count(workspace, Knowledge) == 0

    @pytest.mark.usefixtures("refusing_outbox")
    async def test_failed_upload_transaction_removes_the_stored_object(self, workspace: Workspace,
                                                                        tmp_path: Path) -> None:
        with pytest.raises(Exception, match="outbox down"):
            async with workspace.sessions.begin() as session:
                await commands.upload_file(session, LocalStore(tmp_path), tenant_id=workspace.tenant_id,
                                           knowledge_base=workspace.knowledge_base, file_name="a.pdf", data=PDF,
                                           settings=workspace.settings)
        assert await _count(workspace, Knowledge) == 0
        assert not _stored_files(tmp_path)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class TestUploadFile:
    async def _upload(self, ws: Workspace, store: LocalStore, name: str, data: bytes, settings: object = None) -> Knowledge:
        async with ws.sessions.begin() as session:
            return await commands.upload_file(session, store, tenant_id=ws.tenant_id,
                                              knowledge_base=ws.knowledge_base, file_name=name, data=data,
                                              settings=settings or ws.settings)  # type: ignore[arg-type]  # settings is typed object so tests can pass None for the workspace default

    async def test_stores_original_and_queues_it(self, workspace: Workspace, tmp_path: Path) -> None:
        store = LocalStore(tmp_path)
        doc = await self._upload(workspace, store, "../분기 보고서.pdf", PDF)
        assert doc.file_type == "pdf" and doc.file_size == len(PDF) and doc.file_name == "분기_보고서.pdf"
        assert await store.get(doc.storage_key) == PDF
        assert doc.storage_key.startswith(f"{workspace.tenant_id}/{workspace.knowledge_base.id}/{doc.id}/")
        [event] = await _outbox(workspace, doc.id)
        assert event.payload["storage_key"] == doc.storage_key and event.payload["file_type"] == "pdf"
        assert event.payload["chunking"]["chunk_size"] == 512

    async def test_duplicate_bytes_are_reported_with_the_existing_id(self, workspace: Workspace, tmp_path: Path) -> None:
        store = LocalStore(tmp_path)
        first = await self._upload(workspace, store, "a.pdf", PDF)
        with pytest.raises(commands.DuplicateDocument) as caught:
            await self._upload(workspace, store, "copy.pdf", PDF)
        assert caught.value.existing_id == first.id and caught.value.http_status == 409
        assert await _count(workspace, Knowledge) == 1

    @pytest.mark.parametrize(
        ("name", "data", "error"),
        [("empty.pdf", b"", InvalidInput), ("tool.exe", b"MZ", UnsupportedFormat),
         ("fake.pdf", b"<html>not a pdf</html>", UnsupportedFormat), ("big.txt", b"a" * (1024 * 1024 + 1), TooLarge)],
    )
    async def test_bad_uploads_store_nothing(self, workspace: Workspace, tmp_path: Path, name: str, data: bytes,
                                             error: type) -> None:
        store = LocalStore(tmp_path)
        settings = workspace.settings.model_copy(update={"gateway": GatewaySettings(max_upload_mb=1)})
        with pytest.raises(error):
            await self._upload(workspace, store, name, data, settings)
        assert await _count(workspace, Knowledge) == 0
        assert not _stored_files(tmp_path)


class TestStorageQuota:
    async def test_uploads_count_against_the_quota(self, workspace: Workspace, tmp_path: Path) -> None:
        async with workspace.sessions.begin() as session:
            await session.execute(update(Tenant).where(col(Tenant.id) == workspace.tenant_id).values(storage_quota=100))
        store = LocalStore(tmp_path)
        async with workspace.sessions.begin() as session:
            await commands.upload_file(session, store, tenant_id=workspace.tenant_id,
                                       knowledge_base=workspace.knowledge_base, file_name="a.pdf", data=PDF,
                                       settings=workspace.settings)
        with pytest.raises(TooLarge, match="quota"):
            async with workspace.sessions.begin() as session:
                await commands.upload_file(session, store, tenant_id=workspace.tenant_id,
                                           knowledge_base=workspace.knowledge_base, file_name="b.pdf",
                                           data=PDF + b"%" * 60, settings=workspace.settings)
        async with workspace.sessions() as session:
            tenant = await session.get(Tenant, workspace.tenant_id)
        assert tenant is not None and tenant.storage_used == len(PDF)
        assert await _count(workspace, Knowledge) == 1
