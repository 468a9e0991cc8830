"""Field schema, extracted fields, the review queue and reviews against a real gateway and PostgreSQL.
Documents run through the real validate stage (field check included)."""

from __future__ import annotations

import asyncio
import hashlib

import pytest
from gateway_testkit import RunningGateway
from sqlalchemy import select, update
from sqlmodel import col

from fields.store import documents_matching
from ingest.context import IngestContext
from ingest.keys import chunk_id
from ingest.repository import replace_chunks
from ingest.stages import ValidateStage
from jisik.clients.bundle import ServiceClients
from jisik.db.models import DocumentFields, FieldReview, Knowledge, OutboxEvent, ParseStatus
from jisik.events import DocumentParsed, DocumentValidated
from tests.webhooks.webhook_db import new_endpoint, staged

pytestmark = pytest.mark.integration

API = "/api/v1"

SCHEMA = {
    "fields": [
        {"name": "supplier_brn", "label": "공급자 등록번호", "type": "brn", "aliases": ["등록번호"], "required": True},
        {"name": "invoice_no", "label": "승인번호", "type": "text"},
        {"name": "issue_date", "label": "작성일자", "type": "date"},
        {"name": "supply", "label": "공급가액", "type": "amount", "required": True},
        {"name": "tax", "label": "세액", "type": "amount"},
        {"name": "total", "label": "합계금액", "type": "amount", "aliases": ["합계"]},
    ],
    "rules": [
        {"name": "total_is_sum", "kind": "sum", "fields": ["total", "supply", "tax"], "tolerance": 1},
        {"name": "vat_10", "kind": "ratio", "fields": ["tax", "supply"], "ratio": 0.1, "tolerance": 1},
    ],
    "duplicate_key": ["supplier_brn", "invoice_no"],
    "review_threshold": 0.9,
}

INVOICE = """# 세금계산서
공급자 등록번호: 220-81-62517
승인번호: {number}
작성일자: 2024년 1월 5일

| 공급가액 | 세액 | 합계금액 |
|---|---|---|
| 1,234,000원 | 123,400원 | {total} |
"""


async def _base(gateway: RunningGateway) -> str:
    async with gateway.client(gateway.acme) as client:
        response = await client.post(f"{API}/knowledge-bases", json={"name": "invoices"})
        assert response.status_code == 201
        base_id = response.json()["data"]["id"]
        saved = await client.put(f"{API}/knowledge-bases/{base_id}/field-schema", json=SCHEMA)
    assert saved.status_code == 200, saved.text
    return str(base_id)


async def _validated(gateway: RunningGateway, base_id: str, text: str, expected: dict[str, str]) -> str:
    """A published Markdown document, taken through the real validate stage."""
    async with gateway.client(gateway.acme) as client:
        created = await client.post(f"{API}/knowledge-bases/{base_id}/knowledge/manual", json={
            "title": "invoice", "content": text, "status": "publish", "expected_fields": expected})
    assert created.status_code == 201, created.text
    knowledge_id = str(created.json()["data"]["id"])
    await _run_validate(gateway, knowledge_id, text)
    return knowledge_id


async def _run_validate(gateway: RunningGateway, knowledge_id: str, text: str) -> DocumentValidated:
    async with gateway.sessions.begin() as session:
        doc = await session.get(Knowledge, knowledge_id)
        assert doc is not None
        await replace_chunks(session, doc.id, [{
            "id": chunk_id(doc.id, doc.version, 0), "tenant_id": doc.tenant_id,
            "knowledge_base_id": doc.knowledge_base_id, "knowledge_id": doc.id, "content": text, "chunk_index": 0,
            "start_at": 0, "end_at": len(text), "pages": [], "chunk_type": "text", "image_info": [],
            "is_enabled": True}])
        content_hash = hashlib.sha256(f"{doc.id}:{text}".encode()).hexdigest()  # as the parse stage would
        await session.execute(update(Knowledge).where(col(Knowledge.id) == doc.id).values(
            parse_status=ParseStatus.VALIDATING, chunk_count=1, metadata_={**doc.metadata_, "content_hash": content_hash}))
        event = DocumentParsed(tenant_id=doc.tenant_id, knowledge_base_id=doc.knowledge_base_id, knowledge_id=doc.id,
                               version=doc.version, page_count=1, chunk_count=1, content_hash=content_hash)
    stage = ValidateStage(IngestContext(gateway.settings, gateway.sessions, ServiceClients.open(gateway.settings, timeout_s=5)))
    out = await stage.handle(event)
    assert isinstance(out, DocumentValidated)
    return out


class TestSchema:
    @pytest.mark.parametrize(("change", "named"), [
        ({"fields": [{"name": "a", "type": "colour"}]}, "fields.a.type"),
        ({"fields": [{"name": "a", "type": "regex", "pattern": "(a+)+$"}]}, "fields.a.pattern"),
        ({"fields": [{"name": "a", "type": "regex", "pattern": "(unclosed"}]}, "fields.a.pattern"),
        ({"fields": [{"name": "a"}], "rules": [{"name": "r", "kind": "sum", "fields": ["a", "ghost"]}]},
         "rules.r.fields"),
        ({"fields": [{"name": "a"}], "duplicate_key": ["ghost"]}, "duplicate_key"),
    ])
    async def test_bad_schema_is_422_naming_the_field(self, gateway: RunningGateway, change: dict, named: str) -> None:
        base_id = await _base(gateway)
        async with gateway.client(gateway.acme) as client:
            response = await client.put(f"{API}/knowledge-bases/{base_id}/field-schema", json=change)
        assert response.status_code == 422
        assert response.json()["error"]["field"] == named

    async def test_schema_is_versioned_and_tenant_scoped(self, gateway: RunningGateway) -> None:
        base_id = await _base(gateway)
        async with gateway.client(gateway.acme) as client:
            second = await client.put(f"{API}/knowledge-bases/{base_id}/field-schema",
                                      json={**SCHEMA, "review_threshold": 0.8})
            current = await client.get(f"{API}/knowledge-bases/{base_id}/field-schema")
        assert second.json()["data"]["version"] == 2
        assert current.json()["data"]["review_threshold"] == 0.8
        assert [f["name"] for f in current.json()["data"]["fields"]][0] == "supplier_brn"
        async with gateway.client(gateway.globex) as client:
            assert (await client.get(f"{API}/knowledge-bases/{base_id}/field-schema")).status_code == 404
            assert (await client.put(f"{API}/knowledge-bases/{base_id}/field-schema", json=SCHEMA)).status_code == 404


class TestFieldsAndReview:
    async def test_clean_invoice_is_auto_approved_with_values_and_checks(self, gateway: RunningGateway) -> None:
        base_id = await _base(gateway)
        text = INVOICE.format(number="A-1", total="1,357,400원")
        knowledge_id = await _validated(gateway, base_id, text, {"supply": "1234000"})
        async with gateway.client(gateway.acme) as client:
            body = (await client.get(f"{API}/knowledge/{knowledge_id}/fields")).json()["data"]
        assert body["status"] == "auto_approved", body["errors"]
        values = {f["name"]: f["normalized"] for f in body["fields"]}
        assert values == {"supplier_brn": "220-81-62517", "invoice_no": "A-1", "issue_date": "2024-01-05",
                          "supply": "1234000", "tax": "123400", "total": "1357400"}
        total = next(f for f in body["fields"] if f["name"] == "total")
        assert {"rule": "total_is_sum", "ok": True, "message": ""} in total["checks"]

    async def test_wrong_total_goes_to_review_and_a_correction_approves_it(self, gateway: RunningGateway) -> None:
        base_id = await _base(gateway)
        text = INVOICE.format(number="B-7", total="1,357,000원")
        knowledge_id = await _validated(gateway, base_id, text, {})
        async with gateway.client(gateway.acme) as client:
            fields = (await client.get(f"{API}/knowledge/{knowledge_id}/fields")).json()["data"]
            queue = (await client.get(f"{API}/review-queue", params={"knowledge_base_id": base_id})).json()
            counts = (await client.get(f"{API}/knowledge-bases/{base_id}/review-counts")).json()["data"]
        assert fields["status"] == "needs_review"
        assert [(e["field"], e["rule"]) for e in fields["errors"]] == [("total", "total_is_sum")]
        assert [item["knowledge_id"] for item in queue["data"]] == [knowledge_id] and queue["total"] == 1
        assert counts["needs_review"] == 1

        async with gateway.client(gateway.acme) as client:  # a document of a base without a schema
            plain = (await client.post(f"{API}/knowledge-bases", json={"name": "notes"})).json()["data"]["id"]
            note = await client.post(f"{API}/knowledge-bases/{plain}/knowledge/manual",
                                     json={"title": "note", "content": text, "status": "publish"})
            none = await client.get(f"{API}/knowledge/{note.json()['data']['id']}/fields")
        assert none.status_code == 200 and none.json()["data"]["status"] == "not_extracted"
        assert none.json()["data"]["fields"] == []

        async with gateway.client(gateway.globex) as client:  # another tenant sees nothing
            assert (await client.get(f"{API}/knowledge/{knowledge_id}/fields")).status_code == 404
            other = await client.post(f"{API}/knowledge/{knowledge_id}/review", json={"decision": "approve"})
            assert other.status_code == 404
            assert (await client.get(f"{API}/review-queue")).json()["total"] == 0

        await new_endpoint(gateway.sessions, gateway.acme.id, "https://example.com/hook",
                           ["review.completed", "document.validated"])
        async with gateway.client(gateway.acme) as client:
            stale = await client.post(f"{API}/knowledge/{knowledge_id}/review",
                                      json={"decision": "approve", "revision": fields["revision"] + 1})
            assert stale.status_code == 409
            reviewed = await client.post(f"{API}/knowledge/{knowledge_id}/review", json={
                "decision": "approve", "corrections": {"total": "1,357,400원"}, "comment": "typo on the scan",
                "reviewer": "kim", "revision": fields["revision"]})
            assert reviewed.status_code == 200, reviewed.text
            after = reviewed.json()["data"]
            queue_after = (await client.get(f"{API}/review-queue", params={"knowledge_base_id": base_id})).json()
        assert after["status"] == "approved" and after["errors"] == [] and after["reviewed_by"] == "kim"
        [completed] = [data for data in await staged(gateway.sessions, "review.completed")
                       if data["knowledge_id"] == knowledge_id]
        assert completed["decision"] == "approve" and completed["final_status"] == "approved"
        assert completed["reviewer"] == "kim" and completed["corrected_fields"] == ["total"]
        [validated] = [data for data in await staged(gateway.sessions, "document.validated")
                       if data["knowledge_id"] == knowledge_id]
        assert validated["status"] == "approved" and validated["validated_data"]["total"] == "1357400"
        assert next(f for f in after["fields"] if f["name"] == "total")["normalized"] == "1357400"
        assert queue_after["total"] == 0

        async with gateway.sessions() as session:
            review = (await session.execute(select(FieldReview).where(col(FieldReview.knowledge_id) == knowledge_id))).scalar_one()
            events = (await session.execute(select(OutboxEvent).where(
                col(OutboxEvent.aggregate_id) == knowledge_id, col(OutboxEvent.event_type) == "documents.validated"))).scalars().all()
        assert review.reviewer == "kim" and review.corrections["total"]["before"] == "1,357,000원"
        assert review.corrections["total"]["after"] == "1,357,400원" and review.final_status == "approved"
        assert any(e.payload["status"] == "approved" and e.payload["validated_data"]["total"] == "1357400"
                   for e in events)

        # Reprocessing the same content keeps what the person set.
        async with gateway.client(gateway.acme) as client:
            assert (await client.post(f"{API}/knowledge/{knowledge_id}/reprocess")).status_code == 200
        out = await _run_validate(gateway, knowledge_id, text)
        assert out.status == "approved" and out.validated_data["total"] == "1357400"

    async def test_a_changed_file_drops_the_reviewed_values(self, gateway: RunningGateway) -> None:
        base_id = await _base(gateway)
        text = INVOICE.format(number="G-1", total="1,357,000원")
        knowledge_id = await _validated(gateway, base_id, text, {})
        async with gateway.client(gateway.acme) as client:
            reviewed = await client.post(f"{API}/knowledge/{knowledge_id}/review", json={
                "decision": "approve", "corrections": {"total": "1,357,400원"}})
            assert reviewed.json()["data"]["status"] == "approved"
            changed = INVOICE.format(number="G-2", total="1,357,000원")
            published = await client.put(f"{API}/knowledge/manual/{knowledge_id}",
                                         json={"title": "invoice", "content": changed, "status": "publish"})
            assert published.status_code == 200
        out = await _run_validate(gateway, knowledge_id, changed)
        assert out.status == "needs_review" and out.validated_data["total"] == "1357000"
        assert out.validated_data["invoice_no"] == "G-2"

    async def test_a_concurrent_review_gets_409(self, gateway: RunningGateway) -> None:
        base_id = await _base(gateway)
        knowledge_id = await _validated(gateway, base_id, INVOICE.format(number="C-1", total="1원"), {})
        async with gateway.sessions.begin() as session:  # another review holds the row
            await session.execute(select(DocumentFields).where(
                col(DocumentFields.knowledge_id) == knowledge_id).with_for_update())
            async with gateway.client(gateway.acme) as client:
                response = await client.post(f"{API}/knowledge/{knowledge_id}/review", json={"decision": "reject"})
        assert response.status_code == 409
        async with gateway.client(gateway.acme) as client:
            first, second = await asyncio.gather(*[
                client.post(f"{API}/knowledge/{knowledge_id}/review", json={"decision": "reject", "revision": 1})
                for _ in range(2)])
        assert sorted([first.status_code, second.status_code]) == [200, 409]

    async def test_expected_value_mismatch_and_duplicates_need_review(self, gateway: RunningGateway) -> None:
        base_id = await _base(gateway)
        text = INVOICE.format(number="D-1", total="1,357,400원")
        first = await _validated(gateway, base_id, text, {"supplier_brn": "220-81-62517"})
        second = await _validated(gateway, base_id, text + "\n(재발행)", {"supplier_brn": "123-45-67890"})
        async with gateway.client(gateway.acme) as client:
            one = (await client.get(f"{API}/knowledge/{first}/fields")).json()["data"]
            two = (await client.get(f"{API}/knowledge/{second}/fields")).json()["data"]
        assert one["status"] == "auto_approved"
        assert two["status"] == "needs_review" and two["duplicate_of"] == first
        assert {e["rule"] for e in two["errors"]} == {"expected", "duplicate"}

    async def test_preview_tries_an_unsaved_schema(self, gateway: RunningGateway) -> None:
        base_id = await _base(gateway)
        knowledge_id = await _validated(gateway, base_id, INVOICE.format(number="E-1", total="1,357,400원"), {})
        preview_schema = {"fields": [{"name": "issued", "label": "작성일자", "type": "date"}]}
        async with gateway.client(gateway.acme) as client:
            response = await client.post(f"{API}/knowledge-bases/{base_id}/field-schema/preview",
                                         json={"knowledge_id": knowledge_id, "schema": preview_schema})
        assert response.status_code == 200, response.text
        assert [(f["name"], f["normalized"]) for f in response.json()["data"]["fields"]] == [("issued", "2024-01-05")]

    async def test_bad_expected_fields_on_upload_is_422(self, gateway: RunningGateway) -> None:
        base_id = await _base(gateway)
        async with gateway.client(gateway.acme) as client:
            response = await client.post(f"{API}/knowledge-bases/{base_id}/knowledge/file",
                                         files={"file": ("a.txt", b"hello", "text/plain")},
                                         data={"expected_fields": "[1, 2]"})
            good = await client.post(f"{API}/knowledge-bases/{base_id}/knowledge/file",
                                     files={"file": ("b.txt", b"hello there", "text/plain")},
                                     data={"expected_fields": '{"supply": 1234000}'})
        assert response.status_code == 422 and response.json()["error"]["field"] == "expected_fields"
        assert good.status_code == 201 and good.json()["data"]["expected_fields"] == {"supply": "1234000"}
        async with gateway.sessions() as session:
            outbox = (await session.execute(select(OutboxEvent).where(
                col(OutboxEvent.aggregate_id) == good.json()["data"]["id"]))).scalars().all()
        assert outbox[0].payload["expected_fields"] == {"supply": "1234000"}


class TestFieldFilters:
    async def test_filters_find_documents_by_validated_fields(self, gateway: RunningGateway) -> None:
        base_id = await _base(gateway)
        knowledge_id = await _validated(gateway, base_id, INVOICE.format(number="F-1", total="1,357,400원"), {})
        async with gateway.sessions() as session:
            # written without hyphens, compared in the field's canonical form
            assert await documents_matching(session, gateway.acme.id, [base_id], {"supplier_brn": "2208162517"}) \
                == [knowledge_id]
            assert await documents_matching(session, gateway.acme.id, [base_id],
                                            {"supplier_brn": "2208162517", "invoice_no": "other"}) == []
            assert await documents_matching(session, gateway.globex.id, [base_id], {"supplier_brn": "2208162517"}) == []
        async with gateway.client(gateway.acme) as client:
            nothing = await client.post(f"{API}/knowledge-bases/{base_id}/hybrid-search",
                                        json={"query_text": "세금계산서", "filters": {"invoice_no": "nope"}})
            searched = await client.post(f"{API}/knowledge-search", json={
                "query": "세금계산서", "knowledge_base_id": base_id, "filters": {"invoice_no": "nope"}})
            bad = await client.post(f"{API}/knowledge-search", json={
                "query": "세금계산서", "knowledge_base_id": base_id, "filters": {"invoice_no": ["x"]}})
        assert nothing.status_code == 200 and nothing.json()["data"] == []
        assert searched.status_code == 200 and searched.json()["data"] == []
        assert bad.status_code == 422
