"""Images are stored once per content hash and may be shared: erasing a document removes only the images no
other document's chunks use (real PostgreSQL)."""

from __future__ import annotations

import pytest

from ingest.erasure import unshared_images
from jisik.db.engine import create_engine, session_factory, transaction
from jisik.db.models import Chunk, Knowledge, KnowledgeBase
from jisik.db.tenants import create_tenant

pytestmark = pytest.mark.integration


def _chunk(knowledge: Knowledge, index: int, keys: list[str]) -> Chunk:
    return Chunk(
        id=f"{knowledge.id}-{index}", tenant_id=knowledge.tenant_id, knowledge_base_id=knowledge.knowledge_base_id,
        knowledge_id=knowledge.id, content="", chunk_index=index, start_at=0, end_at=0,
        image_info=[{"storage_key": key, "url": f"local://{key}", "caption": ""} for key in keys],
    )


async def test_only_images_no_other_document_uses_are_erased(fresh_database: str) -> None:
    engine = create_engine(fresh_database, pool_size=1)
    try:
        async with transaction(session_factory(engine)) as session:
            tenant, _ = await create_tenant(session, name="images")
            base = KnowledgeBase(tenant_id=tenant.id, name="kb")
            session.add(base)
            await session.flush()
            erased, other = (Knowledge(tenant_id=tenant.id, knowledge_base_id=base.id) for _ in range(2))
            session.add_all([erased, other])
            await session.flush()
            session.add_all([
                _chunk(erased, 0, ["images/own.png", "images/shared.png"]),
                _chunk(erased, 1, ["images/own2.jpg"]),
                _chunk(other, 0, ["images/shared.png"]),
            ])
            await session.flush()
            unshared = await unshared_images(session, erased.id)
    finally:
        await engine.dispose()
    assert unshared == ["images/own.png", "images/own2.jpg"]
