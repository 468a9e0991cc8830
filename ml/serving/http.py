"""HTTP plumbing for remote backends: bounded concurrency, timeouts, retries honouring Retry-After.

Every failure becomes a typed :mod:`jisik.errors` error whose message names the backend
(never the API key, never the request body). Every request passes the shared address policy
(:mod:`jisik.netguard`), and connection failures all read the same, so a tenant's ``base_url`` can
neither reach internal services nor tell a closed port from a server that speaks another protocol.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from jisik.errors import DeadlineExceeded, InvalidInput, JisikError, Unavailable
from jisik.netguard import AddressPolicy, guarded_client

__all__ = ["RemoteEndpoint", "RetryPolicy", "retry_after_seconds"]

logger = logging.getLogger(__name__)

_RETRYABLE = {408, 409, 425, 429, 500, 502, 503, 504}


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3
    backoff_s: float = 0.5
    max_retry_after_s: float = 30.0
    connect_timeout_s: float = 5.0
    timeout_s: float = 60.0


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """Parse a Retry-After header (delta seconds or an HTTP date); None when absent or invalid."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class _Retryable(Exception):
    def __init__(self, error: JisikError, wait_s: float | None) -> None:
        super().__init__(error.message)
        self.error = error
        self.wait_s = wait_s


class RemoteEndpoint:
    """One remote model server: a shared HTTP client, a concurrency bound and a retry policy."""

    def __init__(
        self,
        *,
        backend: str,
        base_url: str,
        api_key: str = "",
        policy: RetryPolicy,
        address_policy: AddressPolicy,
        concurrency: int = 4,
    ) -> None:
        self.backend = backend
        self.policy = policy
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        timeout = httpx.Timeout(policy.timeout_s, connect=policy.connect_timeout_s)
        self._client = guarded_client(
            address_policy, base_url=base_url.rstrip("/"), headers=headers, timeout=timeout
        )
        self._slots = asyncio.Semaphore(concurrency)
        self.attempts = 0

    async def aclose(self) -> None:
        await self._client.aclose()

    def _status_error(self, response: httpx.Response) -> _Retryable | JisikError:
        code = response.status_code
        if code in _RETRYABLE:
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            return _Retryable(Unavailable(f"model backend {self.backend!r} answered HTTP {code}"), wait)
        if code in (401, 403):
            return Unavailable(f"model backend {self.backend!r} refused the credentials (HTTP {code})")
        return InvalidInput(f"model backend {self.backend!r} rejected the request (HTTP {code})")

    def _transport_error(self, exc: httpx.HTTPError) -> _Retryable:
        if isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout):
            error: JisikError = DeadlineExceeded(f"model backend {self.backend!r} timed out")
        else:
            error = Unavailable(self.unreachable)
        return _Retryable(error, None)

    @property
    def unreachable(self) -> str:
        """The one message for every way a connection can fail (it says nothing about the address)."""
        return f"model backend {self.backend!r} is unreachable: the model endpoint could not be reached"

    async def _with_retries(self, attempt_once: Any) -> Any:
        policy = self.policy
        for attempt in range(policy.max_retries + 1):
            try:
                self.attempts += 1
                async with self._slots:
                    return await attempt_once()
            except _Retryable as retry:
                if attempt == policy.max_retries:
                    raise retry.error from None
                wait = retry.wait_s if retry.wait_s is not None else policy.backoff_s * (2**attempt)
                if wait > policy.max_retry_after_s:
                    raise Unavailable(
                        f"model backend {self.backend!r} asked to retry after {wait:.0f}s (limit "
                        f"{policy.max_retry_after_s:.0f}s)"
                    ) from None
                logger.warning(
                    "backend %s: %s; retry %d in %.2fs", self.backend, retry.error.message, attempt + 1, wait
                )
                await asyncio.sleep(wait)
        raise AssertionError("unreachable")

    async def post_json(self, path: str, payload: dict[str, Any]) -> Any:
        """POST JSON and return the decoded JSON body, retrying transient failures."""
        return await self._json(lambda: self._client.post(path, json=payload))

    async def get_json(self, path: str) -> Any:
        return await self._json(lambda: self._client.get(path))

    async def _json(self, send: Callable[[], Awaitable[httpx.Response]]) -> Any:
        """The decoded JSON body of the response ``send`` gets, retrying transient failures."""

        async def once() -> Any:
            try:
                response = await send()
            except httpx.HTTPError as exc:
                raise self._transport_error(exc) from exc
            if response.status_code >= 400:
                raise self._status_error(response)
            try:
                return response.json()
            except json.JSONDecodeError as exc:
                raise Unavailable(self.unreachable) from exc

        return await self._with_retries(once)

    async def stream_lines(self, path: str, payload: dict[str, Any]) -> AsyncIterator[str]:
        """POST and yield response lines. Retries happen only before the first line arrives."""

        async def once() -> httpx.Response:
            try:
                request = self._client.build_request("POST", path, json=payload)
                response = await self._client.send(request, stream=True)
            except httpx.HTTPError as exc:
                raise self._transport_error(exc) from exc
            if response.status_code >= 400:
                await response.aread()
                await response.aclose()
                raise self._status_error(response)
            return response

        response = await self._with_retries(once)
        try:
            async for line in response.aiter_lines():
                if line:
                    yield line
        except httpx.TimeoutException as exc:
            raise DeadlineExceeded(f"model backend {self.backend!r} stalled while streaming") from exc
        except httpx.HTTPError as exc:
            raise Unavailable(self.unreachable) from exc
        finally:
            await response.aclose()
