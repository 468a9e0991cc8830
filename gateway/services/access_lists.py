"""Setting access lists: the one writer of ``knowledges.acl_principals`` after a document's creation.

A changed effective list is a changed ``knowledges`` row; CDC turns it into an ``index.meta`` record
and the retriever applies it, so search follows the commit (typically well within a second) and
nothing reaches the index before the transaction commits. The gateway's database checks (documents,
chunks, downloads, fields, and the titles every search hit needs) apply it at once.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import cast, func, update
from sqlalchemy.dialects.postgresql import ARRAY, VARCHAR
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from jisik.access import effective_list, normalize_access_list
from jisik.db.models import Knowledge, KnowledgeBase

__all__ = ["set_document_list", "set_knowledge_base_list"]


async def set_knowledge_base_list(
    session: AsyncSession, knowledge_base: KnowledgeBase, principals: Iterable[str]
) -> int:
    """Set the base's list; its documents without a list of their own follow it. Returns how many
    documents' effective list changed. ``knowledge_base`` should be locked by the caller.

    :raises InvalidInput: a malformed principal or too many.
    """
    wanted = normalize_access_list(principals)
    knowledge_base.access_list = wanted
    session.add(knowledge_base)
    target = cast(wanted, ARRAY(VARCHAR(255)))
    changed = await session.execute(
        update(Knowledge)
        .where(
            col(Knowledge.tenant_id) == knowledge_base.tenant_id,
            col(Knowledge.knowledge_base_id) == knowledge_base.id,
            func.cardinality(col(Knowledge.access_list)) == 0,
            col(Knowledge.acl_principals) != target,
        )
        .values(acl_principals=wanted)
        .returning(col(Knowledge.id))
    )
    count = len(changed.all())
    await session.flush()
    return count


async def set_document_list(
    session: AsyncSession, knowledge: Knowledge, knowledge_base: KnowledgeBase, principals: Iterable[str]
) -> Knowledge:
    """Set the document's own list (empty: follow its knowledge base) and its effective list.

    :raises InvalidInput: a malformed principal or too many.
    """
    own = normalize_access_list(principals)
    knowledge.access_list = own
    knowledge.acl_principals = effective_list(own, knowledge_base.access_list)
    session.add(knowledge)
    await session.flush()
    await session.refresh(knowledge)
    return knowledge
