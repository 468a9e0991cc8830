"""Fixtures of the gateway tests: one real gateway per module on a migrated database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from gateway_testkit import RunningGateway, gateway_settings, running_gateway


@pytest.fixture(scope="module")
async def gateway(module_database: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningGateway]:
    data_dir: Path = tmp_path_factory.mktemp("gateway")
    async with running_gateway(gateway_settings(module_database, data_dir)) as running:
        yield running
