from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from jisik.db.models import KnowledgeBase, ModelType, RegisteredModel
from jisik.errors import NotFound

from ._rows import apply_changes

__all__ = [
    "check_model",
    "create_knowledge_base",
    "delete_knowledge_base",
    "existing_knowledge_bases",
    "get_knowledge_base",
    "list_knowledge_bases",
    "require_knowledge_bases",
    "update_knowledge_base",
]


async def check_model(
    *, session: AsyncSession, tenant_id: str, model_id: str, model_type: ModelType, field: str
) -> None:
    """NotFound unless ``model_id`` is empty or one of the tenant's models of ``model_type``."""
    if not model_id:
        return
    found = (
        await session.execute(
            select(col(RegisteredModel.id)).where(
                col(RegisteredModel.id) == model_id,
                col(RegisteredModel.tenant_id) == tenant_id,
                col(RegisteredModel.type) == model_type,
            )
        )
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"{model_type.value} model {model_id} not found", field=field)


async def _check_models(session: AsyncSession, tenant_id: str, values: dict[str, Any]) -> None:
    for field, model_type in (
        ("embedding_model_id", ModelType.EMBEDDING),
        ("summary_model_id", ModelType.KNOWLEDGE_QA),
        ("rerank_model_id", ModelType.RERANK),
        ("vlm_model_id", ModelType.VLLM),
    ):
        if values.get(field):
            await check_model(
                session=session, tenant_id=tenant_id, model_id=values[field], model_type=model_type, field=field
            )


async def create_knowledge_base(*, session: AsyncSession, tenant_id: str, values: dict[str, Any]) -> KnowledgeBase:
    await _check_models(session, tenant_id, values)
    knowledge_base = KnowledgeBase(tenant_id=tenant_id, **values)
    session.add(knowledge_base)
    await session.flush()
    return knowledge_base


async def list_knowledge_bases(*, session: AsyncSession, tenant_id: str) -> list[KnowledgeBase]:
    query = (
        select(KnowledgeBase)
        .where(col(KnowledgeBase.tenant_id) == tenant_id)
        .order_by(col(KnowledgeBase.created_at).desc(), col(KnowledgeBase.id))
    )
    return list((await session.execute(query)).scalars().all())


async def get_knowledge_base(
    *, session: AsyncSession, tenant_id: str, knowledge_base_id: str, lock: bool = False
) -> KnowledgeBase:
    query = select(KnowledgeBase).where(
        col(KnowledgeBase.id) == knowledge_base_id, col(KnowledgeBase.tenant_id) == tenant_id
    )
    if lock:
        query = query.with_for_update()
    found = (await session.execute(query)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"knowledge base {knowledge_base_id} not found", field="knowledge_base_id")
    return found


async def existing_knowledge_bases(*, session: AsyncSession, tenant_id: str, ids: Sequence[str]) -> list[str]:
    """The tenant's knowledge bases among ``ids``, in order (deleted or foreign ids are left out)."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    query = select(col(KnowledgeBase.id)).where(
        col(KnowledgeBase.tenant_id) == tenant_id,
        col(KnowledgeBase.id).in_(wanted),
    )
    found = set((await session.execute(query)).scalars().all())
    return [knowledge_base_id for knowledge_base_id in wanted if knowledge_base_id in found]


async def require_knowledge_bases(*, session: AsyncSession, tenant_id: str, ids: Sequence[str]) -> list[str]:
    """``ids`` (deduplicated, in order) after checking each is the tenant's; NotFound names the first missing."""
    wanted = list(dict.fromkeys(ids))
    found = await existing_knowledge_bases(session=session, tenant_id=tenant_id, ids=wanted)
    for knowledge_base_id in wanted:
        if knowledge_base_id not in found:
            raise NotFound(f"knowledge base {knowledge_base_id} not found", field="knowledge_base_ids")
    return wanted


async def update_knowledge_base(
    *, session: AsyncSession, knowledge_base: KnowledgeBase, values: dict[str, Any]
) -> KnowledgeBase:
    await _check_models(session, knowledge_base.tenant_id, values)
    return await apply_changes(session, knowledge_base, values)


async def delete_knowledge_base(*, session: AsyncSession, knowledge_base: KnowledgeBase) -> None:
    """Delete the row; documents, chunks cascade in the database."""
    await session.delete(knowledge_base)
    await session.flush()
