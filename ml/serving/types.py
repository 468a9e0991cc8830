"""The small contracts every backend implements, and the values they exchange."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

import numpy as np

__all__ = [
    "ChatEvent",
    "ChatInput",
    "ChatModel",
    "Embedder",
    "Embeddings",
    "Message",
    "Reranker",
    "Role",
    "Usage",
]

Role = Literal["query", "passage"]


@dataclass(frozen=True)
class Embeddings:
    vectors: np.ndarray  # [n, dimension] float32, L2-normalised
    truncated: tuple[int, ...] = ()  # indexes of inputs cut to the model's limit


@dataclass(frozen=True)
class Message:
    role: str  # system | user | assistant
    content: str


@dataclass(frozen=True)
class ChatInput:
    messages: tuple[Message, ...]
    passages: tuple[str, ...] = ()  # citation order: [1] is the first
    question: str = ""
    temperature: float = 0.0
    max_tokens: int = 0  # 0 = backend default


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int
    completion_tokens: int


@dataclass(frozen=True)
class ChatEvent:
    """One streamed piece: text deltas, then a final event with ``usage`` set."""

    delta: str = ""
    usage: Usage | None = None
    finish_reason: str = ""
    # The first event only: what the backend was given (see ml.serving.masking.model_input).
    model_input: str = ""


@runtime_checkable
class Embedder(Protocol):
    name: str
    dimension: int

    async def embed(self, texts: list[str], role: Role) -> Embeddings: ...


@runtime_checkable
class Reranker(Protocol):
    name: str

    async def rerank(self, query: str, passages: list[str]) -> list[float]: ...


@runtime_checkable
class ChatModel(Protocol):
    name: str

    def stream(self, request: ChatInput) -> AsyncIterator[ChatEvent]: ...
