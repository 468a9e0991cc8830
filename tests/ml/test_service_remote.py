"""ModelService with a tenant's registered remote chat model as the default (real PostgreSQL, real sockets)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from jisik.db.engine import create_engine, session_factory, transaction
from jisik.db.models import ModelSource, ModelType
from jisik.db.tenants import create_tenant
from jisik.errors import DeadlineExceeded
from jisik.netguard import AddressPolicy
from jisik.secret_box import SecretBox
from jisik.settings.model import ModelSettings
from ml.serving.registry import register_model
from ml.serving.service import ModelService
from ml.serving.types import ChatInput, Message

pytestmark = pytest.mark.integration


def sse(*texts: str) -> bytes:
    events: list[dict[str, Any]] = [{"choices": [{"delta": {"content": t}, "finish_reason": None}]} for t in texts]
    events.append({"choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": len(texts)}})
    return ("".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n").encode()


async def service_with_default_chat(
    database_url: str, base_url: str, parameters: dict[str, Any] | None = None
) -> tuple[ModelService, str, str]:
    key = SecretBox.generate_key()
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    async with transaction(sessions) as session:
        tenant, _ = await create_tenant(session, name="chat-tenant")
        other, _ = await create_tenant(session, name="other-tenant")
        await register_model(
            session,
            SecretBox(key),
            tenant_id=tenant.id,
            name="vllm-chat",
            type=ModelType.KNOWLEDGE_QA,
            source=ModelSource.REMOTE,
            parameters={"base_url": base_url, "model": "qwen", **(parameters or {})},
            api_key="sk-abc",
            is_default=True,
        )
    settings = ModelSettings(request_timeout_s=1.0, max_retries=0)
    service = ModelService(settings, sessions, engine=engine, address_policy=AddressPolicy(["127.0.0.1"]),
                           box=SecretBox(key))
    return service, tenant.id, other.id


class TestTenantDefaultChat:
    async def test_tenant_default_is_used_and_other_tenants_keep_extractive(
        self, fresh_database: str, scripted_server: Any
    ) -> None:
        server = scripted_server(
            lambda path, body: (200, {"Content-Type": "text/event-stream"}, sse("Hi", "!"))
        )
        service, tenant, other = await service_with_default_chat(fresh_database, server.url)
        try:
            request = ChatInput(messages=(Message("user", "hello"),), passages=("Hello is a greeting.",))
            spec, events = await service.chat_stream(tenant, "", request)
            out = [e async for e in events]
            assert spec.name == "vllm-chat" and "".join(e.delta for e in out) == "Hi!"
            assert out[-1].usage is not None and out[-1].usage.completion_tokens == 2
            assert server.headers[0]["Authorization"] == "Bearer sk-abc"
            assert server.requests[0][1]["model"] == "qwen"
            spec, _ = await service.chat_stream(other, "", request)
            assert spec.id == "extractive"
        finally:
            await service.aclose()

    async def test_a_stalled_backend_becomes_a_deadline_error(
        self, fresh_database: str, scripted_server: Any
    ) -> None:
        def stall(path: str, body: Any) -> Any:
            time.sleep(3)
            return 200, {"Content-Type": "text/event-stream"}, sse("late")

        server = scripted_server(stall)
        service, tenant, _ = await service_with_default_chat(fresh_database, server.url)
        try:
            _, events = await service.chat_stream(tenant, "", ChatInput(messages=(Message("user", "hi"),)))
            with pytest.raises(DeadlineExceeded, match="vllm-chat"):
                [e async for e in events]
        finally:
            await service.aclose()
