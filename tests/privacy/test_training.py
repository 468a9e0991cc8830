"""Training snapshots pass one gate: refused without the tenant's consent, masked with it."""

from __future__ import annotations

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from jisik.db.engine import create_engine
from jisik.db.tenants import create_tenant
from jisik.errors import NotFound
from jisik.pii.training import ConsentRequired, training_snapshot

pytestmark = pytest.mark.integration

TEXT = "고객 김민준 님 연락처 010-2345-6789, 주민번호 850315-1234567"


async def test_snapshot_is_refused_without_consent_and_masked_with_it(fresh_database: str) -> None:
    engine = create_engine(fresh_database, pool_size=1)
    try:
        async with AsyncSession(engine) as session, session.begin():
            tenant, _ = await create_tenant(session, name="acme")
            with pytest.raises(ConsentRequired) as refused:
                await training_snapshot(session, tenant.id, [TEXT])
            tenant.training_consent = True
            session.add(tenant)
            await session.flush()
            masked = await training_snapshot(session, tenant.id, [TEXT, "평범한 문장"])
            with pytest.raises(NotFound):
                await training_snapshot(session, "no-such-tenant", [TEXT])
    finally:
        await engine.dispose()
    assert refused.value.code == "consent_required" and refused.value.http_status == 403
    assert masked[1] == "평범한 문장"
    for value in ("김민준", "010-2345-6789", "850315-1234567"):
        assert value not in masked[0]
    assert "⟦PHONE⟧" in masked[0] and "⟦RRN⟧" in masked[0] and "⟦NAME⟧" in masked[0]
