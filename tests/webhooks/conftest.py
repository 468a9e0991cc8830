"""Fixtures of the webhook tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.webhooks.receiver import Receiver


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    """A local receiver and its base URL."""
    server = Receiver()
    base = await server.start()
    yield server, base
    await server.stop()
