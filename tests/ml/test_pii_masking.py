"""PII masking before a remote chat model (real PostgreSQL, a real OpenAI-compatible HTTP server that
records every prompt): no seeded value reaches the server, and the streamed answer shows the values."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from jisik.db.engine import create_engine, session_factory, transaction
from jisik.db.models import ModelSource, ModelType, Tenant
from jisik.pii import PiiType, StreamRestorer, Vault
from ml.serving.registry import register_model
from ml.serving.types import ChatInput, Message
from tests.privacy.seeded import SEEDED

from .test_service_remote import service_with_default_chat, sse

pytestmark = pytest.mark.integration

DOCUMENT = (
    f"계약자 성명: {SEEDED['NAME']}\n주민등록번호 {SEEDED['RRN']}\n휴대폰 {SEEDED['PHONE']}\n"
    f"이메일 {SEEDED['EMAIL']}\n카드번호 {SEEDED['CARD']}\n사업자등록번호 {SEEDED['BRN']}\n"
    f"신한은행 {SEEDED['ACCOUNT']}\n주소: {SEEDED['ADDRESS']}"
)
_PLACEHOLDER = re.compile(r"⟦[A-Z]+_\d+⟧")


def _echo_placeholders(path: str, body: Any) -> Any:
    """Answer with every placeholder of the prompt, each split across two stream deltas."""
    prompt = json.dumps(body, ensure_ascii=False)
    pieces: list[str] = ["확인된 값: "]
    for placeholder in dict.fromkeys(_PLACEHOLDER.findall(prompt)):
        pieces += [placeholder[:3], placeholder[3:] + " "]
    return 200, {"Content-Type": "text/event-stream"}, sse(*pieces)


def _request() -> ChatInput:
    return ChatInput(
        messages=(
            Message("system", f"자료:\n[1] {DOCUMENT}"),
            Message("user", f"{SEEDED['NAME']} 고객의 연락처와 주민번호는?"),
        ),
        passages=(DOCUMENT,),
        question=f"{SEEDED['NAME']} 고객의 연락처와 주민번호는?",
    )


async def _events(service: Any, tenant: str) -> list[Any]:
    _spec, events = await service.chat_stream(tenant, "", _request())
    return [event async for event in events]


async def _ask(service: Any, tenant: str) -> str:
    return "".join(event.delta for event in await _events(service, tenant))


async def test_no_seeded_value_reaches_the_remote_model_and_the_answer_has_them(
    fresh_database: str, scripted_server: Any
) -> None:
    server = scripted_server(_echo_placeholders)
    service, tenant, _ = await service_with_default_chat(fresh_database, server.url)
    try:
        answer = await _ask(service, tenant)
    finally:
        await service.aclose()
    sent = json.dumps(server.requests, ensure_ascii=False)
    leaked = [kind for kind, value in SEEDED.items() if value in sent or value.replace("-", "") in sent]
    assert leaked == []
    assert "⟦RRN_1⟧" in sent and "⟦NAME_1⟧" in sent
    # The name stands in the system prompt and the question: one placeholder for both.
    assert "⟦NAME_2⟧" not in sent
    for value in SEEDED.values():
        assert value in answer
    assert "⟦" not in answer


async def test_policy_off_for_a_model_sends_the_text_as_is(fresh_database: str, scripted_server: Any) -> None:
    server = scripted_server(_echo_placeholders)
    service, tenant, _ = await service_with_default_chat(
        fresh_database, server.url, parameters={"pii_policy": "off"}
    )
    try:
        await _ask(service, tenant)
    finally:
        await service.aclose()
    assert SEEDED["RRN"] in json.dumps(server.requests, ensure_ascii=False)


def test_restorer_holds_a_split_placeholder_and_leaves_unknown_ones() -> None:
    vault = Vault({PiiType.PHONE})
    masked = vault.mask("전화 010-2345-6789, 메일 a@b.co")
    assert masked == "전화 ⟦PHONE_1⟧, 메일 a@b.co"
    restorer = StreamRestorer(vault)
    out = restorer.feed("번호는 ⟦PHO") + restorer.feed("NE_1⟧ 와 ⟦RRN_9⟧") + restorer.finish()
    assert out == "번호는 010-2345-6789 와 ⟦RRN_9⟧"


async def test_the_tenants_policy_and_types_apply(fresh_database: str, scripted_server: Any) -> None:
    server = scripted_server(_echo_placeholders)
    service, tenant, _ = await service_with_default_chat(fresh_database, server.url)
    engine = create_engine(fresh_database)
    try:
        async with transaction(session_factory(engine)) as session:
            row = await session.get_one(Tenant, tenant)
            row.pii_types = "RRN"
        answer = await _ask(service, tenant)
        async with transaction(session_factory(engine)) as session:
            row = await session.get_one(Tenant, tenant)
            row.pii_policy = "off"
        await _ask(service, tenant)
    finally:
        await service.aclose()
        await engine.dispose()
    masked_types_only, unmasked = (json.dumps(body, ensure_ascii=False) for _path, body in server.requests)
    assert SEEDED["RRN"] not in masked_types_only and SEEDED["PHONE"] in masked_types_only
    assert SEEDED["RRN"] in answer
    assert SEEDED["RRN"] in unmasked


async def test_the_stream_first_tells_what_the_model_saw(fresh_database: str, scripted_server: Any) -> None:
    server = scripted_server(_echo_placeholders)
    service, tenant, _ = await service_with_default_chat(fresh_database, server.url)
    try:
        masked_events = await _events(service, tenant)
        engine = create_engine(fresh_database)
        try:
            async with transaction(session_factory(engine)) as session:
                (await session.get_one(Tenant, tenant)).pii_policy = "off"
        finally:
            await engine.dispose()
        plain_events = await _events(service, tenant)
    finally:
        await service.aclose()
    first, *rest = masked_events
    assert first.model_input and first.delta == "" and not any(event.model_input for event in rest)
    saw = json.loads(first.model_input)
    assert saw["masked"] == len(SEEDED) and "⟦NAME_1⟧" in saw["question"]
    assert not [value for value in SEEDED.values() if value in first.model_input]
    # Exactly what went over the wire.
    _path, body = server.requests[0]
    assert saw["messages"] == body["messages"]
    plain = json.loads(plain_events[0].model_input)
    assert plain["masked"] == 0 and SEEDED["RRN"] in plain["passages"][0]


def _embeddings(path: str, body: Any) -> Any:
    vectors = [{"index": i, "embedding": [1.0, 0.0, 0.0, 0.0]} for i, _ in enumerate(body["input"])]
    return 200, {"Content-Type": "application/json"}, json.dumps({"object": "list", "data": vectors}).encode()


async def test_a_remote_embedder_gets_placeholders_and_a_local_policy_off_tenant_the_text(
    fresh_database: str, scripted_server: Any
) -> None:
    server = scripted_server(_embeddings)
    service, tenant, _ = await service_with_default_chat(fresh_database, server.url)
    engine = create_engine(fresh_database)
    try:
        async with transaction(session_factory(engine)) as session:
            model = await register_model(
                session, service.box, tenant_id=tenant,
                name="hosted-embedder", type=ModelType.EMBEDDING, source=ModelSource.REMOTE,
                parameters={"base_url": server.url, "model": "embed", "dimension": 4},
            )
        _spec, vectors = await service.embed(tenant, model.id, [DOCUMENT], "passage")
        async with transaction(session_factory(engine)) as session:
            (await session.get_one(Tenant, tenant)).pii_policy = "off"
        await service.embed(tenant, model.id, [DOCUMENT], "passage")
    finally:
        await service.aclose()
        await engine.dispose()
    masked, plain = (json.dumps(body, ensure_ascii=False) for _path, body in server.requests)
    assert vectors.vectors.shape == (1, 4)
    assert [kind for kind, value in SEEDED.items() if value in masked] == []
    assert "⟦RRN_1⟧" in masked and SEEDED["RRN"] in plain
