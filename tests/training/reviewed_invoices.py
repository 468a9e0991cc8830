"""Reviewed invoices for the field-tagger tests: a tenant's knowledge base with the tagger schema, its
invoices as documents (a chunk of their text, optionally an original in storage), and approvals in
which the reviewer types the supply amount the schema's labels miss."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from fields.review import review_document
from fields.store import save_schema
from jisik.db.models import Chunk, Knowledge, KnowledgeBase
from jisik.db.tenants import create_tenant
from tests.fields.tagger_docs import SCHEMA, Invoice

__all__ = ["add_invoice", "approve_supply", "schema_base"]


async def schema_base(session: AsyncSession, *, consent: bool) -> tuple[str, str, int]:
    """A new tenant (with or without training consent) and a knowledge base with the schema: their ids
    and the schema's version."""
    tenant, _ = await create_tenant(session, name="acme")
    tenant.training_consent = consent
    base = KnowledgeBase(tenant_id=tenant.id, name="명세서")
    session.add(base)
    await session.flush()
    return tenant.id, base.id, await save_schema(session, tenant.id, base.id, SCHEMA)


async def add_invoice(session: AsyncSession, tenant_id: str, base_id: str, doc: Invoice, *, file_type: str = "",
                      storage_key: str = "") -> Knowledge:
    knowledge = Knowledge(tenant_id=tenant_id, knowledge_base_id=base_id, title="거래명세서", file_type=file_type,
                          storage_key=storage_key, file_hash=str(id(doc)))
    session.add(knowledge)
    await session.flush()
    session.add(Chunk(id=f"{knowledge.id[:8]}-0", tenant_id=tenant_id, knowledge_base_id=base_id,
                      knowledge_id=knowledge.id, content=doc.text, chunk_index=0, start_at=0, end_at=len(doc.text)))
    return knowledge


async def approve_supply(session: AsyncSession, knowledge: Knowledge, doc: Invoice) -> None:
    await review_document(session, tenant_id=knowledge.tenant_id, knowledge_id=knowledge.id, decision="approve",
                          corrections={"supply": doc.values["supply"]}, comment="", reviewer="kim@example.com",
                          revision=None)
