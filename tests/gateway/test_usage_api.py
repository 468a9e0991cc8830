"""Usage API, plans and hard limits over the real gateway and PostgreSQL.

Totals are written the way the billing processor writes them (UsageTotals -> write_totals)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from gateway_testkit import ADMIN_TOKEN, RunningGateway, Tenant, _tenant

from cdc.billing import write_totals
from cdc.usage_totals import UsageEvent, UsageTotals
from jisik.billing import month_of, period_bounds
from jisik.billing.plans import set_plan
from jisik.db.models import BillingThreshold

pytestmark = pytest.mark.integration

API = "/api/v1"
NOV_MS = 1_793_491_200_000  # 2026-11-01
DAY_MS = 86_400_000


async def _write(gateway: RunningGateway, tenant_id: str, records: list[tuple[str, str, int, int]]) -> None:
    totals = UsageTotals()
    for n, (metric, subject, quantity, at_ms) in enumerate(records):
        totals.add(UsageEvent(f"{tenant_id}:{metric}:{n}:{at_ms}", tenant_id, metric, subject, quantity, at_ms))
    async with gateway.sessions() as session, session.begin():
        await write_totals(session, totals.take())


async def _tenant_on(gateway: RunningGateway, name: str, plan: str) -> Tenant:
    tenant = await _tenant(gateway.sessions, name)
    async with gateway.sessions() as session, session.begin():
        await set_plan(session, tenant.id, plan)
    return tenant


async def test_usage_has_totals_daily_series_projection_cost_and_thresholds(gateway: RunningGateway) -> None:
    tenant = await _tenant_on(gateway, "metered", "team")
    await _write(gateway, tenant.id, [
        ("pages_parsed", "", 300, NOV_MS + 2 * DAY_MS),
        ("pages_parsed", "", 200, NOV_MS + 9 * DAY_MS + 5),
        ("chat_tokens_in", "qwen", 1000, NOV_MS + 9 * DAY_MS),
        ("chat_tokens_in", "llama", 500, NOV_MS + 9 * DAY_MS),
        ("storage_bytes", "", 4096, NOV_MS + DAY_MS),
        ("storage_bytes", "", 1024, NOV_MS + 3 * DAY_MS),
        ("pages_parsed", "", 7, NOV_MS - DAY_MS),  # October: another period
    ])
    async with gateway.sessions() as session, session.begin():
        session.add(BillingThreshold(tenant_id=tenant.id, metric="pages_parsed", period="2026-11", level=50,
                                     quantity=Decimal(500), monthly_limit=1000))
    async with gateway.client(tenant) as client:
        found = await client.get(f"{API}/usage", params={"period": "2026-11"})
        bad = await client.get(f"{API}/usage", params={"period": "2026-13"})
        current = await client.get(f"{API}/usage")
        plans = await client.get(f"{API}/plans")
    assert found.status_code == 200, found.text
    data: dict[str, Any] = found.json()["data"]
    by_metric = {metric["metric"]: metric for metric in data["metrics"]}
    assert data["plan"]["id"] == "team" and data["period_end"].startswith("2026-12-01T00:00:00")
    assert by_metric["pages_parsed"]["used"] == 500 and by_metric["pages_parsed"]["limit"] == 20_000
    assert by_metric["pages_parsed"]["percent"] == 2.5
    assert by_metric["pages_parsed"]["projected"] == 500, "a past period projects what it used"
    assert by_metric["chat_tokens_in"]["by_subject"] == {"qwen": 1000, "llama": 500}
    assert by_metric["storage_bytes"]["used"] == 4096, "storage bills its peak"
    assert by_metric["pages_parsed"]["cost"] == "1.000"  # 500 x 0.002
    assert [(day["date"], day.get("pages_parsed")) for day in data["daily"] if "pages_parsed" in day] == [
        ("2026-11-03", 300), ("2026-11-10", 200)]
    assert [(row["metric"], row["level"]) for row in data["thresholds"]] == [("pages_parsed", 50)]
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "period"
    assert current.json()["data"]["period"] == month_of(datetime.now(UTC))
    assert {plan["id"] for plan in plans.json()["data"]} >= {"free", "team", "enterprise"}


async def test_another_tenant_sees_none_of_it(gateway: RunningGateway) -> None:
    tenant = await _tenant_on(gateway, "private", "team")
    await _write(gateway, tenant.id, [("ocr_pages", "", 42, NOV_MS + DAY_MS)])
    async with gateway.client(gateway.globex) as client:
        data = (await client.get(f"{API}/usage", params={"period": "2026-11"})).json()["data"]
    assert all(metric["used"] == 0 for metric in data["metrics"] if metric["metric"] == "ocr_pages")


async def test_admin_view_lists_every_tenant_and_changes_plans(gateway: RunningGateway) -> None:
    tenant = await _tenant_on(gateway, "audited", "free")
    await _write(gateway, tenant.id, [("rerank_calls", "", 12, NOV_MS + DAY_MS)])
    async with gateway.client() as client:
        anonymous = await client.get(f"{API}/admin/usage", params={"period": "2026-11"})
        wrong = await client.get(f"{API}/admin/usage", headers={"X-Admin-Token": "nope"})
        listed = await client.get(f"{API}/admin/usage", params={"period": "2026-11"},
                                  headers={"X-Admin-Token": ADMIN_TOKEN})
        changed = await client.put(f"{API}/admin/tenants/{tenant.id}/plan", json={"plan_id": "team"},
                                   headers={"X-Admin-Token": ADMIN_TOKEN})
        unknown = await client.put(f"{API}/admin/tenants/{tenant.id}/plan", json={"plan_id": "gold"},
                                   headers={"X-Admin-Token": ADMIN_TOKEN})
        after = await client.get(f"{API}/admin/usage", params={"period": "2026-11"},
                                 headers={"X-Admin-Token": ADMIN_TOKEN})
    assert anonymous.status_code == 401 and wrong.status_code == 401
    row = next(row for row in listed.json()["data"] if row["tenant_id"] == tenant.id)
    assert (row["name"], row["plan"], row["used"], row["cost"]) == ("audited", "free", {"rerank_calls": 12}, "0")
    assert changed.status_code == 200 and unknown.status_code == 404
    row = next(row for row in after.json()["data"] if row["tenant_id"] == tenant.id)
    assert row["plan"] == "team" and row["cost"] == "0.0024"


async def test_a_deleted_tenants_usage_stays_billable(gateway: RunningGateway) -> None:
    tenant = await _tenant_on(gateway, "leaving", "team")
    await _write(gateway, tenant.id, [("pages_parsed", "", 1000, NOV_MS + DAY_MS)])
    async with gateway.client(tenant) as client:
        deleted = await client.delete(f"{API}/tenants/{tenant.id}")
    async with gateway.client() as client:
        listed = await client.get(f"{API}/admin/usage", params={"period": "2026-11"},
                                  headers={"X-Admin-Token": ADMIN_TOKEN})
    assert deleted.status_code == 200, deleted.text
    row = next(row for row in listed.json()["data"] if row["tenant_id"] == tenant.id)
    assert row["name"] is None and row["used"] == {"pages_parsed": 1000}
    assert (row["plan"], row["cost"]) == ("team", "2.000"), "priced at the plan it had"


async def test_hard_limits_refuse_upload_url_import_and_chat_with_402(gateway: RunningGateway) -> None:
    tenant = await _tenant_on(gateway, "capped", "free")
    start, end = period_bounds(month_of(datetime.now(UTC)))
    now_ms = int(start.timestamp() * 1000) + 1
    async with gateway.client(tenant) as client:
        base = (await client.post(f"{API}/knowledge-bases", json={"name": "docs"})).json()["data"]
        chat = (await client.post(f"{API}/sessions", json={"knowledge_base_id": base["id"]})).json()["data"]
        allowed = await client.post(f"{API}/knowledge-bases/{base['id']}/knowledge/file",
                                    files={"file": ("a.md", b"# A\n\nText.\n", "text/markdown")})
        await _write(gateway, tenant.id, [("pages_parsed", "", 1000, now_ms), ("chat_tokens_out", "m", 200_000, now_ms)])
        upload = await client.post(f"{API}/knowledge-bases/{base['id']}/knowledge/file",
                                   files={"file": ("b.md", b"# B\n\nMore.\n", "text/markdown")})
        url = await client.post(f"{API}/knowledge-bases/{base['id']}/knowledge/url",
                                json={"url": "https://example.com/page"})
        asked = await client.post(f"{API}/knowledge-chat/{chat['id']}", json={"query": "hello?"})
    assert allowed.status_code == 201, allowed.text
    for refused, metric in ((upload, "pages_parsed"), (url, "pages_parsed"), (asked, "chat_tokens_out")):
        assert refused.status_code == 402, refused.text
        error = refused.json()["error"]
        assert (error["code"], error["metric"]) == ("plan_limit_reached", metric)
        assert error["resets_at"] == end.isoformat().replace("+00:00", "Z")
        assert "Free plan" in error["message"] and "resets at" in error["message"]


async def test_storage_limit_counts_the_file_being_uploaded(gateway: RunningGateway) -> None:
    tenant = await _tenant_on(gateway, "full", "free")
    async with gateway.sessions() as session, session.begin():
        from jisik.db.models import Tenant as TenantRow

        row = await session.get_one(TenantRow, tenant.id)
        row.storage_used = 1024**3 - 10
    async with gateway.client(tenant) as client:
        base = (await client.post(f"{API}/knowledge-bases", json={"name": "docs"})).json()["data"]
        refused = await client.post(f"{API}/knowledge-bases/{base['id']}/knowledge/file",
                                    files={"file": ("c.md", b"# C\n\nEleven+ bytes of text.\n", "text/markdown")})
    assert refused.status_code == 402, refused.text
    assert refused.json()["error"]["metric"] == "storage_bytes" and refused.json()["error"]["resets_at"] is None
