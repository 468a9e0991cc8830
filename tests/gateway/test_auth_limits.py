"""Backoff on failed authentication (issue 13, break 7): API keys and the admin token, 429 + Retry-After."""

from __future__ import annotations

import asyncio

import pytest
from gateway_testkit import ADMIN_TOKEN, RunningGateway

from gateway.auth_limits import AuthFailureLimiter
from jisik.errors import RateLimited

API = "/api/v1"


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_lockouts_double_up_to_the_cap_and_expire() -> None:
    clock = _Clock()
    limiter = AuthFailureLimiter(free_failures=3, base_s=1.0, max_s=8.0, window_s=60.0, clock=clock)
    for _ in range(3):
        limiter.check("10.0.0.1")
        limiter.failed("10.0.0.1")
    limiter.check("10.0.0.1")  # three free failures
    waits = []
    for _ in range(6):
        limiter.failed("10.0.0.1")
        with pytest.raises(RateLimited) as caught:
            limiter.check("10.0.0.1")
        waits.append(caught.value.retry_after_s)
    assert waits == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    limiter.check("10.0.0.2")  # other addresses are not affected
    clock.now += 8.5
    limiter.check("10.0.0.1")
    clock.now += 120
    limiter.failed("10.0.0.1")  # the window has passed: counting starts again
    limiter.check("10.0.0.1")


async def test_wrong_keys_get_429_with_retry_after(gateway: RunningGateway) -> None:
    free = gateway.settings.gateway.auth_free_failures
    async with gateway.client(headers={"X-API-Key": "sk-guess"}) as guesser:
        statuses = [(await guesser.get(f"{API}/knowledge-bases")).status_code for _ in range(free + 1)]
        locked = await guesser.get(f"{API}/knowledge-bases")
    assert statuses == [401] * (free + 1)
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) >= 1
    assert locked.json()["error"]["code"] == "rate_limited"
    async with gateway.client(gateway.acme) as client:  # the same address, even with a good key
        assert (await client.get(f"{API}/knowledge-bases")).status_code == 429
        await asyncio.sleep(int(locked.headers["Retry-After"]) + 0.2)
        assert (await client.get(f"{API}/knowledge-bases")).status_code == 200


async def test_wrong_admin_tokens_count_too(gateway: RunningGateway) -> None:
    await asyncio.sleep(2.5)  # let a lockout from the test before run out
    async with gateway.client() as client:
        codes = []
        for attempt in range(gateway.settings.gateway.auth_free_failures + 2):
            response = await client.post(
                f"{API}/tenants", json={"name": f"x{attempt}"}, headers={"X-Admin-Token": "wrong"}
            )
            codes.append(response.status_code)
        locked = await client.post(f"{API}/tenants", json={"name": "y"}, headers={"X-Admin-Token": ADMIN_TOKEN})
    assert 429 in codes and locked.status_code == 429 and "Retry-After" in locked.headers
