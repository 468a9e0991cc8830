"""HTTP edges: uploads through ingest.commands, body limits, tracing, the web app mount."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pymupdf
import pytest
from cryptography.fernet import Fernet
from gateway_testkit import RunningGateway, gateway_settings, running_gateway
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pydantic import SecretStr
from sqlalchemy import select
from sqlmodel import col

from jisik.db.models import Chunk, RegisteredModel, Tenant

pytestmark = pytest.mark.integration

API = "/api/v1"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


@pytest.fixture(scope="module")
async def web_gateway(module_database: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningGateway]:
    data_dir: Path = tmp_path_factory.mktemp("web")
    dist = data_dir / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><div id=root>jisik</div>")
    (dist / "assets" / "app.js").write_text("console.log('jisik')")
    settings = gateway_settings(module_database, data_dir)
    settings = settings.model_copy(
        update={
            "gateway": settings.gateway.model_copy(update={"web_dist": str(dist), "max_upload_mb": 1}),
            "endpoints": settings.endpoints.model_copy(update={"encryption_key": SecretStr(Fernet.generate_key().decode())}),
        }
    )
    async with running_gateway(settings) as running:
        yield running


class TestUploads:
    async def _base(self, gateway: RunningGateway) -> str:
        async with gateway.client(gateway.acme) as client:
            return str((await client.post(f"{API}/knowledge-bases", json={"name": "files"})).json()["data"]["id"])

    async def test_upload_duplicate_download_delete(self, web_gateway: RunningGateway) -> None:
        base_id = await self._base(web_gateway)
        data = b"# Notes\n\nThe wifi password is on the fridge.\n"
        async with web_gateway.client(web_gateway.acme) as client:
            first = await client.post(f"{API}/knowledge-bases/{base_id}/knowledge/file", files={"file": ("notes.md", data)})
            again = await client.post(f"{API}/knowledge-bases/{base_id}/knowledge/file", files={"file": ("copy.md", data)})
            knowledge_id = first.json()["data"]["id"]
            download = await client.get(f"{API}/knowledge/{knowledge_id}/download")
        assert first.status_code == 201 and first.json()["data"]["parse_status"] == "pending"
        assert again.status_code == 409
        assert again.json()["error"]["existing_id"] == knowledge_id
        assert download.content == data
        assert "notes.md" in download.headers["content-disposition"]
        async with web_gateway.client(web_gateway.globex) as client:
            assert (await client.get(f"{API}/knowledge/{knowledge_id}/download")).status_code == 404
            assert (await client.delete(f"{API}/knowledge/{knowledge_id}")).status_code == 404
            assert (await client.post(f"{API}/knowledge/{knowledge_id}/reprocess")).status_code == 404

    async def test_bad_files_are_refused_with_typed_errors(self, web_gateway: RunningGateway) -> None:
        base_id = await self._base(web_gateway)
        async with web_gateway.client(web_gateway.acme) as client:
            fake_pdf = await client.post(
                f"{API}/knowledge-bases/{base_id}/knowledge/file", files={"file": ("x.pdf", b"not a pdf at all")}
            )
            unknown = await client.post(
                f"{API}/knowledge-bases/{base_id}/knowledge/file", files={"file": ("x.exe", b"MZ\x90\x00")}
            )
            empty = await client.post(f"{API}/knowledge-bases/{base_id}/knowledge/file", files={"file": ("e.txt", b"")})
            huge = await client.post(
                f"{API}/knowledge-bases/{base_id}/knowledge/file", files={"file": ("big.txt", b"a" * (3 * 1024 * 1024))}
            )
            listed = await client.get(f"{API}/knowledge-bases/{base_id}/knowledge")
        assert fake_pdf.status_code == 415 and unknown.status_code == 415
        assert empty.status_code == 422
        assert huge.status_code == 413 and huge.json()["error"]["code"] == "too_large"
        assert listed.json()["total"] == 0

    async def test_legacy_office_files_are_refused_before_any_quota_is_charged(
        self, web_gateway: RunningGateway
    ) -> None:
        """The docreader cannot read .doc or .ppt: the upload says so at once (415) and charges nothing."""
        base_id = await self._base(web_gateway)
        ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
        async with web_gateway.sessions() as session:
            used_before = (await session.get_one(Tenant, web_gateway.acme.id)).storage_used
        async with web_gateway.client(web_gateway.acme) as client:
            refused = {
                name: await client.post(f"{API}/knowledge-bases/{base_id}/knowledge/file", files={"file": (name, ole)})
                for name in ("minutes.doc", "slides.ppt")
            }
            listed = await client.get(f"{API}/knowledge-bases/{base_id}/knowledge")
        assert {name: response.status_code for name, response in refused.items()} == {
            "minutes.doc": 415, "slides.ppt": 415}
        assert ".docx" in refused["minutes.doc"].json()["error"]["message"]
        assert ".pptx" in refused["slides.ppt"].json()["error"]["message"]
        assert listed.json()["total"] == 0
        async with web_gateway.sessions() as session:
            assert (await session.get_one(Tenant, web_gateway.acme.id)).storage_used == used_before

    async def test_hostile_url_is_blocked(self, web_gateway: RunningGateway) -> None:
        base_id = await self._base(web_gateway)
        async with web_gateway.client(web_gateway.acme) as client:
            response = await client.post(
                f"{API}/knowledge-bases/{base_id}/knowledge/url", json={"url": "http://169.254.169.254/latest"}
            )
        assert response.status_code == 403
        assert response.json()["error"]["field"] == "url"


def _two_page_pdf() -> bytes:
    document = pymupdf.open()
    document.new_page().insert_text((72, 100), "Page one says nothing useful.")
    second = document.new_page()
    second.insert_text((72, 100), "Visitor badges are issued at the reception desk")
    second.insert_text((72, 114), "on the ground floor. Bring photo ID to collect one.")
    second.insert_text((72, 400), "Lunch is served at noon in the canteen.")
    return bytes(document.tobytes())


_A4_HEIGHT_PT = 842  # pymupdf's default page


def _yellow_rows(png: bytes) -> list[int]:
    """Rows of the image (in PDF points) that hold highlight-yellow pixels."""
    pixmap = pymupdf.Pixmap(png)
    rows = set()
    for y in range(0, pixmap.height, 2):
        for x in range(0, pixmap.width, 4):
            red, green, blue = pixmap.pixel(x, y)[:3]
            if red > 220 and 180 < green < 235 and blue < 90:
                rows.add(round(y * _A4_HEIGHT_PT / pixmap.height))
                break
    return sorted(rows)


class TestPageImages:
    async def test_pdf_page_with_the_cited_chunk_highlighted(self, web_gateway: RunningGateway) -> None:
        async with web_gateway.client(web_gateway.acme) as client:
            base_id = (await client.post(f"{API}/knowledge-bases", json={"name": "pages"})).json()["data"]["id"]
            uploaded = await client.post(
                f"{API}/knowledge-bases/{base_id}/knowledge/file", files={"file": ("badges.pdf", _two_page_pdf())}
            )
            markdown = await client.post(
                f"{API}/knowledge-bases/{base_id}/knowledge/file", files={"file": ("n.md", b"# Notes\n\nText.")}
            )
        knowledge_id = uploaded.json()["data"]["id"]
        chunk = Chunk(
            id=f"{knowledge_id}-0", tenant_id=web_gateway.acme.id, knowledge_base_id=base_id,
            knowledge_id=knowledge_id, chunk_index=0, start_at=0, end_at=99, pages=[2],
            content="Visitor badges are issued at the reception desk on the ground floor. Bring photo ID to collect one. "
            "Lunch is served at noon in the canteen.",
        )
        async with web_gateway.sessions() as session, session.begin():
            session.add(chunk)
        page = f"{API}/knowledge/{knowledge_id}/pages/2.png"
        async with web_gateway.client(web_gateway.acme) as client:
            cited = await client.get(page, params={"chunk_id": chunk.id})
            plain = await client.get(page)
            focused = await client.get(page, params={"chunk_id": chunk.id, "focus": "When is lunch served? At noon [1]."})
            unfocused = await client.get(page, params={"chunk_id": chunk.id, "focus": "Parking is free [1]."})
            beyond = await client.get(f"{API}/knowledge/{knowledge_id}/pages/3.png")
            unknown_chunk = await client.get(page, params={"chunk_id": "nope"})
            not_pdf = await client.get(f"{API}/knowledge/{markdown.json()['data']['id']}/pages/1.png")
        async with web_gateway.client(web_gateway.globex) as client:
            other_tenant = await client.get(page, params={"chunk_id": chunk.id})
        assert cited.status_code == 200 and cited.headers["content-type"] == "image/png"
        assert cited.headers["x-page-count"] == "2" and int(cited.headers["x-highlights"]) >= 2
        rows = _yellow_rows(cited.content)
        assert rows and 85 <= min(rows) and max(rows) >= 400  # the whole chunk: badges and lunch lines
        focused_rows = _yellow_rows(focused.content)
        assert focused.headers["x-focused"] == "1" and focused_rows and min(focused_rows) >= 380  # only lunch
        assert unfocused.headers["x-focused"] == "0" and _yellow_rows(unfocused.content) == rows
        assert _yellow_rows(plain.content) == [] and plain.headers["x-highlights"] == "0"
        assert beyond.status_code == 404 and beyond.json()["error"]["field"] == "page"
        assert unknown_chunk.status_code == 404 and unknown_chunk.json()["error"]["field"] == "chunk_id"
        assert not_pdf.status_code == 415
        assert other_tenant.status_code == 404


class TestTracing:
    async def test_one_server_span_in_the_callers_trace_without_secrets(
        self, web_gateway: RunningGateway, spans: InMemorySpanExporter, caplog: pytest.LogCaptureFixture
    ) -> None:
        spans.clear()
        caplog.set_level(logging.DEBUG)
        traceparent = f"00-{TRACE_ID}-00f067aa0ba902b7-01"
        async with web_gateway.client(web_gateway.acme, headers={"traceparent": traceparent}) as client:
            response = await client.post(f"{API}/knowledge-bases", json={"name": "traced secret name"})
        assert response.status_code == 201
        server = [span for span in spans.get_finished_spans() if span.kind == trace.SpanKind.SERVER]
        assert len(server) == 1
        span = server[0]
        assert format(span.context.trace_id, "032x") == TRACE_ID
        assert span.name == "POST /api/v1/knowledge-bases"
        attributes = span.attributes
        assert attributes is not None
        assert attributes["http.route"] == "/api/v1/knowledge-bases"
        assert attributes["http.response.status_code"] == 201
        dumped = repr(dict(attributes)) + caplog.text
        assert web_gateway.acme.api_key not in dumped
        assert "traced secret name" not in dumped


class TestWebApp:
    async def test_spa_is_served_with_fallback(self, web_gateway: RunningGateway) -> None:
        async with web_gateway.client() as client:
            root = await client.get("/")
            deep = await client.get("/chat/some-session")
            asset = await client.get("/assets/app.js")
            escape = await client.get("/assets/..%2F..%2F..%2Fetc%2Fpasswd")
            api = await client.get(f"{API}/unknown")
        assert "jisik" in root.text and root.headers["content-type"].startswith("text/html")
        assert deep.text == root.text
        assert asset.text == "console.log('jisik')"
        assert "root:" not in escape.text
        assert api.status_code == 404 and api.json()["success"] is False


class TestModelKeys:
    async def test_api_key_is_write_only_and_encrypted(self, web_gateway: RunningGateway) -> None:
        secret = "sk-remote-provider-secret"
        body = {"name": "gpt", "type": "KnowledgeQA", "source": "remote",
                "parameters": {"base_url": "https://llm.example.com/v1", "api_key": secret}}
        async with web_gateway.client(web_gateway.acme) as client:
            created = await client.post(f"{API}/models", json=body)
            listed = await client.get(f"{API}/models")
            rotated = await client.put(f"{API}/models/{created.json()['data']['id']}", json={"api_key": "sk-new"})
        assert created.status_code == 201, created.text
        assert created.json()["data"]["has_api_key"] is True
        for response in (created, listed, rotated):
            assert secret not in response.text and "sk-new" not in response.text
        async with web_gateway.sessions() as session:
            stored = (await session.execute(select(col(RegisteredModel.api_key_encrypted), col(RegisteredModel.parameters))
                                            .where(col(RegisteredModel.id) == created.json()["data"]["id"]))).one()
        assert stored.api_key_encrypted and "sk-new" not in stored.api_key_encrypted
        assert "api_key" not in stored.parameters
