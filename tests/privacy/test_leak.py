"""The whole-stack leak test: documents and questions full of personal data go through the running
platform (gateway, ingest, CDC, model service with a remote chat model that records every prompt).
No seeded value reaches the model, any log line, any exported span attribute or any Kafka payload; the
user's answer shows the real values, and "what the model saw" shows the placeholders."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from tests.gateway.sse_testkit import ask
from tests.ml.test_service_remote import sse
from tests.privacy.seeded import SEEDED
from tests.stack import EmbeddedStack, running_stack

pytestmark = pytest.mark.integration

API = "/api/v1"
CONTRACT = (
    "# 임대차 계약 확인서\n\n"
    f"계약자 성명: {SEEDED['NAME']}\n\n주민등록번호 {SEEDED['RRN']}\n\n휴대폰 {SEEDED['PHONE']}\n\n"
    f"이메일 {SEEDED['EMAIL']}\n\n카드번호 {SEEDED['CARD']}\n\n사업자등록번호 {SEEDED['BRN']}\n\n"
    f"신한은행 {SEEDED['ACCOUNT']}\n\n주소: {SEEDED['ADDRESS']}\n\n보증금은 계약일로부터 7일 안에 입금한다.\n"
)
QUESTION = f"계약자 {SEEDED['NAME']} 고객의 연락처 {SEEDED['PHONE']} 와 보증금 입금 기한은?"
_PLACEHOLDER = re.compile(r"⟦[A-Z]+_\d+⟧")


def _variants(value: str) -> set[str]:
    return {value, value.replace("-", ""), value.replace("-", " ")}


def _leaks(text: str) -> list[str]:
    return sorted(kind for kind, value in SEEDED.items() if any(v in text for v in _variants(value)))


def _echo_placeholders(path: str, body: Any) -> Any:
    """Answer with every placeholder the prompt holds, citing passage 1."""
    prompt = json.dumps(body, ensure_ascii=False)
    found = " ".join(dict.fromkeys(_PLACEHOLDER.findall(prompt)))
    return 200, {"Content-Type": "text/event-stream"}, sse("계약서의 값: ", found, " [1]")


@pytest.fixture(scope="module")
def leak_stack() -> Iterator[EmbeddedStack]:
    # The operator allow-lists loopback, where the recording "remote" model listens.
    with running_stack(JISIK_EGRESS_ALLOW_LIST='["127.0.0.1"]') as stack:
        yield stack


async def _kafka_payloads(bootstrap: str) -> dict[str, list[bytes]]:
    """Every record's key, value and headers on every topic, from the beginning."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    try:
        topics = sorted(await consumer.topics())
        consumer.subscribe(topics)
        found: dict[str, list[bytes]] = {topic: [] for topic in topics}
        quiet_rounds = 0
        while quiet_rounds < 3:
            batches = await consumer.getmany(timeout_ms=1000)
            quiet_rounds = 0 if batches else quiet_rounds + 1
            for partition, records in batches.items():
                for record in records:
                    parts = [record.key or b"", record.value or b"", *(value for _name, value in record.headers)]
                    found[partition.topic].append(b"\n".join(parts))
        return found
    finally:
        await consumer.stop()


async def _completed(client: httpx.AsyncClient, knowledge_id: str, timeout_s: float = 240) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        status = (await client.get(f"{API}/knowledge/{knowledge_id}")).json()["data"]["parse_status"]
        if status == "completed":
            return
        assert status != "failed" and time.monotonic() < deadline, status
        await asyncio.sleep(1.0)


async def test_no_seeded_value_leaks_anywhere_and_the_user_sees_them(
    leak_stack: EmbeddedStack, scripted_server: Any
) -> None:
    recorder = scripted_server(_echo_placeholders)
    headers = {"X-API-Key": leak_stack.api_key}
    async with httpx.AsyncClient(base_url=leak_stack.gateway_url, headers=headers, timeout=120) as client:
        model = await client.post(
            f"{API}/models",
            json={"name": "hosted", "type": "KnowledgeQA", "source": "remote", "is_default": True,
                  "parameters": {"base_url": recorder.url, "model": "hosted-llm"}},
        )
        assert model.status_code == 201, model.text
        base = (await client.post(f"{API}/knowledge-bases", json={"name": "contracts"})).json()["data"]
        upload = await client.post(
            f"{API}/knowledge-bases/{base['id']}/knowledge/file", files={"file": ("contract.md", CONTRACT.encode())}
        )
        assert upload.status_code == 201, upload.text
        await _completed(client, upload.json()["data"]["id"])
        # Titled by its first question, as the web app does.
        session = (
            await client.post(f"{API}/sessions", json={"knowledge_base_id": base["id"], "title": QUESTION[:60]})
        ).json()["data"]
        stream = await ask(client, session["id"], QUESTION)
        messages = (await client.get(f"{API}/messages/{session['id']}/load")).json()["data"]
        answer_id = next(m["id"] for m in messages if m["role"] == "assistant")
        saw = await client.get(f"{API}/messages/{session['id']}/{answer_id}/model-input")
    await asyncio.sleep(1.5)  # spans are exported in 200 ms batches

    answer = "".join(event.get("content", "") for event in stream if event["response_type"] == "answer")
    prompts = json.dumps(recorder.requests, ensure_ascii=False)
    assert recorder.requests and "⟦RRN_1⟧" in prompts
    assert _leaks(prompts) == []
    assert [kind for kind in ("RRN", "PHONE", "EMAIL", "CARD") if SEEDED[kind] not in answer] == [], answer
    assert saw.status_code == 200, saw.text
    assert saw.json()["data"]["masked"] >= len(SEEDED) - 1 and _leaks(saw.text) == []

    logs = {service: leak_stack.log_path(service).read_text(encoding="utf-8", errors="replace")
            for service in ("gateway", "ingest", "cdc", "model", "docreader", "retriever")}
    assert {service: _leaks(text) for service, text in logs.items() if _leaks(text)} == {}
    spans = leak_stack.spans()
    assert spans
    assert [(span.service, span.name, _leaks(json.dumps(span.attributes, ensure_ascii=False)))
            for span in spans if _leaks(json.dumps(span.attributes, ensure_ascii=False))] == []
    # The relay publishes the chat's rows a moment after they commit: read until they are there.
    deadline = time.monotonic() + 60
    while True:
        payloads = await _kafka_payloads(leak_stack.settings.kafka.bootstrap_servers)
        if (payloads.get("documents.uploaded") and payloads.get("db.messages")) or time.monotonic() > deadline:
            break
        await asyncio.sleep(1.0)
    assert payloads.get("documents.uploaded") and payloads.get("db.messages")
    leaked = {topic: _leaks(b"\n".join(records).decode("utf-8", errors="replace"))
              for topic, records in payloads.items()}
    assert {topic: kinds for topic, kinds in leaked.items() if kinds} == {}
