"""A connectivity check of one registered model through the model service (the settings page's "test")."""

from __future__ import annotations

import time
from typing import Any

from chat import ModelClient
from jisik.db.models import ModelType, RegisteredModel
from jisik.errors import JisikError

__all__ = ["check_model"]


async def _probe(model: ModelClient, registered: RegisteredModel) -> str:
    tenant, model_id = registered.tenant_id, registered.id
    if registered.type == ModelType.EMBEDDING:
        vectors = await model.embed(tenant_id=tenant, model_id=model_id, texts=["connectivity check"])
        return f"embedding of dimension {len(vectors[0]) if vectors else 0}"
    if registered.type == ModelType.RERANK:
        scores = await model.rerank(tenant_id=tenant, model_id=model_id, query="check", passages=["a check"])
        return f"rerank score {scores[0]:.3f}" if scores else "no score returned"
    if registered.type == ModelType.KNOWLEDGE_QA:
        async for delta in model.chat_stream(
            tenant_id=tenant, model_id=model_id, messages=[("user", "Reply with OK.")], passages=[],
            question="Reply with OK.", temperature=0.0, max_tokens=8,
        ):
            if delta.text:
                return "the model answered"
        return "the model answered with no text"
    raise _Unsupported(f"{registered.type.value} models cannot be checked from here")


class _Unsupported(Exception):
    pass


async def check_model(model: ModelClient, registered: RegisteredModel) -> dict[str, Any]:
    """``{ok, message, latency_ms}``; a failure is a result here, not an error."""
    started = time.perf_counter()
    try:
        message = await _probe(model, registered)
        ok = True
    except (JisikError, _Unsupported) as exc:
        message, ok = str(exc), False
    return {"ok": ok, "message": message, "latency_ms": round((time.perf_counter() - started) * 1000, 1)}
