"""Model registration rules and built-in resolution (no database needed)."""

from __future__ import annotations

from typing import Any

import pytest

from jisik.db.models import ModelSource, ModelType
from jisik.errors import InvalidInput, NotFound
from jisik.secret_box import SecretBox
from jisik.settings.model import ModelSettings
from ml.serving.registry import ModelRegistry, register_model


async def register(**overrides: Any) -> None:
    arguments: dict[str, Any] = {
        "tenant_id": "t",
        "name": "m",
        "type": ModelType.EMBEDDING,
        "source": ModelSource.REMOTE,
        "parameters": {"base_url": "http://127.0.0.1:1", "dimension": 8},
    } | overrides
    await register_model(None, SecretBox(""), **arguments)  # type: ignore[arg-type]  # None stands for the database session, which the refused cases never reach


class TestRegisterModel:
    async def test_api_key_never_goes_into_parameters(self) -> None:
        with pytest.raises(InvalidInput, match="API key"):
            await register(parameters={"base_url": "http://x", "dimension": 8, "api_key": "sk"})

    async def test_remote_models_need_an_http_base_url(self) -> None:
        with pytest.raises(InvalidInput, match="base_url"):
            await register(parameters={"base_url": "file:///etc/passwd", "dimension": 8})

    async def test_remote_embedders_need_a_dimension(self) -> None:
        with pytest.raises(InvalidInput, match="dimension"):
            await register(parameters={"base_url": "http://x"})

    async def test_an_api_key_without_an_encryption_key_is_refused(self) -> None:
        with pytest.raises(InvalidInput, match="ENCRYPTION_KEY"):
            await register(api_key="sk-123")


class TestBuiltins:
    async def test_defaults_per_type(self) -> None:
        registry = ModelRegistry(None, SecretBox(""), ModelSettings())
        assert (await registry.resolve("t", "", (ModelType.EMBEDDING,))).id == "multilingual-e5-small"
        assert (await registry.resolve("t", "", (ModelType.RERANK,))).id == "e5-similarity"
        assert (await registry.resolve("t", "", (ModelType.KNOWLEDGE_QA,))).id == "extractive"

    async def test_unknown_and_mistyped_ids(self) -> None:
        registry = ModelRegistry(None, SecretBox(""), ModelSettings())
        with pytest.raises(NotFound):
            await registry.resolve("t", "gpt-7", (ModelType.EMBEDDING,))
        with pytest.raises(InvalidInput, match="KnowledgeQA"):
            await registry.resolve("t", "extractive", (ModelType.EMBEDDING,))
