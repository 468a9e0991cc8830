"""Image captions from a vision model: OpenAI-compatible ``/chat/completions`` or Ollama ``/api/generate``."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Literal

import httpx

from jisik.errors import DeadlineExceeded, Unavailable

__all__ = ["CAPTION_PROMPT", "CaptionClient", "VlmConfig"]

CAPTION_PROMPT = (
    "Describe the main content of this image in one or two short sentences. "
    "If it contains text, use the language of that text."
)


@dataclass(frozen=True, slots=True)
class VlmConfig:
    base_url: str
    model: str
    api_key: str = ""
    interface: Literal["openai", "ollama"] = "openai"
    timeout_s: float = 60.0

    def __repr__(self) -> str:  # never print the key
        return f"VlmConfig(base_url={self.base_url!r}, model={self.model!r}, interface={self.interface!r})"


class CaptionClient:
    """One vision model endpoint; ``caption`` is safe to call concurrently."""

    def __init__(self, config: VlmConfig, client: httpx.AsyncClient) -> None:
        self.config = config
        self._client = client

    async def caption(self, image: bytes, mime: str = "image/png") -> str:
        encoded = base64.b64encode(image).decode("ascii")
        base = self.config.base_url.rstrip("/")
        try:
            if self.config.interface == "ollama":
                response = await self._client.post(
                    f"{base}/api/generate",
                    json={
                        "model": self.config.model,
                        "prompt": CAPTION_PROMPT,
                        "images": [encoded],
                        "stream": False,
                        "options": {"temperature": 0.1},
                    },
                    timeout=self.config.timeout_s,
                )
                response.raise_for_status()
                return str(response.json().get("response", "")).strip()
            headers = {"Authorization": f"Bearer {self.config.api_key}"} if self.config.api_key else {}
            response = await self._client.post(
                f"{base}/chat/completions",
                headers=headers,
                json={
                    "model": self.config.model,
                    "temperature": 0.3,
                    "messages": [
                        {
                            "role": "user",
                            "content": [
                                {"type": "text", "text": CAPTION_PROMPT},
                                {"type": "image_url", "image_url": {"url": f"data:{mime};base64,{encoded}"}},
                            ],
                        }
                    ],
                },
                timeout=self.config.timeout_s,
            )
            response.raise_for_status()
            return str(response.json()["choices"][0]["message"]["content"]).strip()
        except httpx.TimeoutException as exc:
            raise DeadlineExceeded(f"vision model timed out after {self.config.timeout_s:.0f}s") from exc
        except httpx.HTTPStatusError as exc:
            raise Unavailable(f"vision model answered HTTP {exc.response.status_code}") from exc
        except (httpx.HTTPError, KeyError, IndexError, TypeError, ValueError) as exc:
            raise Unavailable(f"vision model call failed ({type(exc).__name__})") from exc
