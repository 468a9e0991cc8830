"""Field-tagger jobs and aliases through the gateway: consent first, a knowledge base of the tenant with a
field schema, one job at a time, promote and rollback refused with the reason when there is nothing to
move, and the Models listing of each knowledge base with a schema."""

from __future__ import annotations

import pytest
from gateway_testkit import RunningGateway

from tests.fields.tagger_docs import SCHEMA

pytestmark = pytest.mark.integration

API = "/api/v1"


async def test_field_tagger_jobs_need_consent_and_a_schema_of_the_tenant(gateway: RunningGateway) -> None:
    acme, globex = gateway.acme, gateway.globex
    async with gateway.client(acme) as client, gateway.client(globex) as other:
        with_schema = (await client.post(f"{API}/knowledge-bases", json={"name": "명세서"})).json()["data"]["id"]
        assert (await client.put(f"{API}/knowledge-bases/{with_schema}/field-schema",
                                 json=SCHEMA.model_dump(mode="json"))).status_code == 200
        without = (await client.post(f"{API}/knowledge-bases", json={"name": "메모"})).json()["data"]["id"]
        foreign = (await other.post(f"{API}/knowledge-bases", json={"name": "globex"})).json()["data"]["id"]
        tagger_job = {"kind": "field_tagger", "knowledge_base_id": with_schema}

        no_consent = await client.post(f"{API}/ml/training-jobs", json=tagger_job)
        await client.put(f"{API}/tenants/{acme.id}", json={"training_consent": True})
        no_base = await client.post(f"{API}/ml/training-jobs", json={"kind": "field_tagger"})
        no_schema = await client.post(f"{API}/ml/training-jobs", json={**tagger_job, "knowledge_base_id": without})
        not_ours = await client.post(f"{API}/ml/training-jobs", json={**tagger_job, "knowledge_base_id": foreign})
        queued = await client.post(f"{API}/ml/training-jobs", json=tagger_job)
        second = await client.post(f"{API}/ml/training-jobs")
        models = (await client.get(f"{API}/ml/models")).json()["data"]
        promote = await client.post(f"{API}/ml/taggers/{with_schema}/promote")
        rollback = await client.post(f"{API}/ml/taggers/{with_schema}/rollback")
        foreign_promote = await client.post(f"{API}/ml/taggers/{foreign}/promote")
    assert no_consent.status_code == 409 and no_consent.json()["error"]["code"] == "consent_required"
    assert no_base.status_code == 422 and no_base.json()["error"]["field"] == "knowledge_base_id"
    assert no_schema.status_code == 404 and "field schema" in no_schema.json()["error"]["message"]
    assert not_ours.status_code == 404
    assert queued.status_code == 201, queued.text
    assert queued.json()["data"]["parameters"] == tagger_job and queued.json()["data"]["status"] == "queued"
    assert second.status_code == 409  # one job at a time, whatever its kind
    assert [t["knowledge_base_id"] for t in models["taggers"]] == [with_schema]
    assert models["taggers"][0]["reviewed_documents"] == 0 and models["taggers"][0]["versions"] == []
    assert promote.status_code == 409 and rollback.status_code == 404 and foreign_promote.status_code == 404
