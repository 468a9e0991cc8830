"""A tenant's privacy settings over the REST API (real gateway, real PostgreSQL)."""

from __future__ import annotations

import pytest
from gateway_testkit import RunningGateway

pytestmark = pytest.mark.integration

API = "/api/v1"


async def test_privacy_settings_round_trip_and_default_to_no_training_consent(
    gateway: RunningGateway,
) -> None:
    tenant_id = gateway.globex.id
    async with gateway.client(gateway.globex) as client:
        before = (await client.get(f"{API}/tenants/{tenant_id}")).json()["data"]
        updated = await client.put(
            f"{API}/tenants/{tenant_id}",
            json={"pii_policy": "always", "pii_types": ["PHONE", "RRN", "PHONE"], "training_consent": True},
        )
        after = (await client.get(f"{API}/tenants/{tenant_id}")).json()["data"]
        wrong = await client.put(f"{API}/tenants/{tenant_id}", json={"pii_types": ["SHOE_SIZE"]})
        reset = await client.put(f"{API}/tenants/{tenant_id}", json={"pii_policy": None, "pii_types": []})
    assert (before["pii_policy"], before["pii_types"], before["training_consent"]) == (None, [], False)
    assert updated.status_code == 200, updated.text
    assert (after["pii_policy"], after["pii_types"], after["training_consent"]) == (
        "always",
        ["PHONE", "RRN"],
        True,
    )
    assert wrong.status_code == 422
    assert reset.json()["data"]["pii_policy"] is None and reset.json()["data"]["pii_types"] == []
