"""One HTTP attempt of a webhook message: signed POST, whole-attempt deadline, bounded read.

Redirects are not followed (a 3xx is a failed attempt). Only the first ``read_bytes`` of the answer are
kept, undecoded; a long body ends the read and the connection (:mod:`jisik.webhooks.answer`). Every
new connection goes through the SSRF guard (:mod:`jisik.netguard`), so a host that resolves to an
internal address at delivery time is refused even if its URL passed when the endpoint was saved.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Literal

from jisik.errors import JisikError

from .http1 import ConnectionPools, MalformedAnswer
from .signing import signature_header

__all__ = ["USER_AGENT", "Outcome", "Result", "attempt", "parse_retry_after"]

Result = Literal["succeeded", "failed", "timeout", "error"]
USER_AGENT = "jisik-webhooks/1"


@dataclass(frozen=True, slots=True)
class Outcome:
    result: Result
    latency_ms: float
    status_code: int | None = None
    body: str = ""
    error: str = ""
    retry_after_s: float | None = None


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or an HTTP date); None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - now).total_seconds())


async def attempt(
    pools: ConnectionPools,
    *,
    url: str,
    event_id: str,
    body: bytes,
    secrets: Sequence[str],
    timeout_s: float,
    read_bytes: int,
) -> Outcome:
    """POST ``body`` to ``url`` with the Standard Webhooks headers; never raises for the receiver's
    behaviour (it is all in the outcome)."""
    timestamp = int(time.time())
    headers = {
        "webhook-id": event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(secrets, event_id, timestamp, body),
    }
    started = time.perf_counter()

    def elapsed() -> float:
        return (time.perf_counter() - started) * 1000

    try:
        async with asyncio.timeout(timeout_s):
            answer = await pools.post(url, headers, body, keep_bytes=read_bytes)
    except TimeoutError:
        return Outcome("timeout", elapsed(), error=f"no complete answer within {timeout_s:g} s")
    except JisikError as exc:  # the address guard refused the host, or it does not resolve
        return Outcome("error", elapsed(), error=exc.message[:500])
    except MalformedAnswer as exc:
        return Outcome("error", elapsed(), error=f"the answer is not HTTP/1.1: {exc}"[:500])
    except OSError as exc:
        return Outcome("error", elapsed(), error=f"{type(exc).__name__}: {str(exc)[:400]}")
    code = answer.status
    # PostgreSQL text cannot hold NUL; the log shows a replacement character instead.
    text = answer.body_head.decode("utf-8", errors="replace").replace("\x00", "\ufffd")
    retry_after = parse_retry_after(answer.retry_after, datetime.now(UTC)) if code == 429 else None
    result: Result = "succeeded" if 200 <= code < 300 else "failed"
    return Outcome(result, elapsed(), code, text, "", retry_after)
