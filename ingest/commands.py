"""Document commands the gateway calls. Each runs in the caller's transaction and writes the
knowledge row together with its outbox event, so an event exists if and only if the row committed.

Every lookup is scoped to ``tenant_id``: another tenant's ids are simply not found.
"""

from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from jisik.billing import Metric, record_usage
from jisik.billing.limits import check_limits
from jisik.db.models import Knowledge, KnowledgeBase, KnowledgeType, ParseStatus, Tenant
from jisik.db.models._common import new_id
from jisik.db.outbox import add_event
from jisik.errors import Conflict, InvalidInput, NotFound, TooLarge
from jisik.netguard import AddressPolicy
from jisik.settings import Settings

from .formats import detect_file_type
from .keys import MANUAL_CONTENT, PUBLISHED_CONTENT, knowledge_prefix, original_key, safe_file_name
from .lag import consumer_lag
from .messages import uploaded_event

if TYPE_CHECKING:
    from jisik.storage import ObjectStore

__all__ = [
    "DuplicateDocument",
    "consumer_lag",
    "create_manual",
    "delete_knowledge",
    "draft_from_answer",
    "import_url",
    "reprocess",
    "update_manual",
    "upload_file",
]

logger = logging.getLogger(__name__)

_MAX_TITLE = 255
MAX_MANUAL_CHARS = 1_000_000


class DuplicateDocument(Conflict):
    """The same bytes are already a document of this knowledge base; ``existing_id`` names it."""

    code = "duplicate_document"

    def __init__(self, message: str, *, existing_id: str) -> None:
        super().__init__(message, field="file")
        self.existing_id = existing_id


def _check_base(knowledge_base: KnowledgeBase, tenant_id: str) -> None:
    if knowledge_base.tenant_id != tenant_id:
        raise NotFound(f"knowledge base {knowledge_base.id} not found")


async def _announce(session: AsyncSession, knowledge: Knowledge, knowledge_base: KnowledgeBase | None = None) -> None:
    """Queue the document for the pipeline: status pending plus a documents.uploaded outbox row."""
    if knowledge_base is None:
        knowledge_base = await session.get(KnowledgeBase, knowledge.knowledge_base_id)
        if knowledge_base is None:
            raise NotFound(f"knowledge base {knowledge.knowledge_base_id} not found")
    knowledge.parse_status = ParseStatus.PENDING
    knowledge.error_message = ""
    knowledge.duplicate_of = ""
    knowledge.processed_at = None
    session.add(knowledge)
    add_event(session, uploaded_event(knowledge, knowledge_base))


async def _load(session: AsyncSession, tenant_id: str, knowledge_id: str, *, lock: bool = True) -> Knowledge:
    query = select(Knowledge).where(col(Knowledge.id) == knowledge_id, col(Knowledge.tenant_id) == tenant_id)
    if lock:
        query = query.with_for_update()
    knowledge = (await session.execute(query)).scalar_one_or_none()
    if knowledge is None:
        raise NotFound(f"document {knowledge_id} not found")
    return knowledge


def _title(title: str, fallback: str) -> str:
    cleaned = " ".join(title.split())[:_MAX_TITLE]
    return cleaned or fallback[:_MAX_TITLE]


async def upload_file(
    session: AsyncSession,
    store: ObjectStore,
    *,
    tenant_id: str,
    knowledge_base: KnowledgeBase,
    file_name: str,
    data: bytes,
    settings: Settings,
    expected_fields: dict[str, str] | None = None,
) -> Knowledge:
    """Store the original and queue it for parsing.

    :raises InvalidInput: empty file. :raises TooLarge: over the upload limit.
    :raises UnsupportedFormat: unknown type or content that does not match the extension.
    :raises DuplicateDocument: the same bytes are already in this knowledge base.
    """
    _check_base(knowledge_base, tenant_id)
    if not data:
        raise InvalidInput("the file is empty", field="file")
    limit_mb = min(settings.gateway.max_upload_mb, settings.docreader.max_file_mb)
    if len(data) > limit_mb * 1024 * 1024:
        raise TooLarge(f"the file is {len(data) / 1048576:.1f} MiB; the limit is {limit_mb} MiB", field="file")
    name = safe_file_name(file_name)
    file_type = detect_file_type(name, data)
    await check_limits(session, tenant_id, {Metric.STORAGE_BYTES: len(data), Metric.PAGES_PARSED: 0}, settings.billing)
    digest = hashlib.sha256(data).hexdigest()
    # Serialise uploads of the same bytes into the same knowledge base, so two cannot both pass the check.
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(f"{knowledge_base.id}:{digest}", 0))))
    existing = (
        await session.execute(
            select(col(Knowledge.id)).where(
                col(Knowledge.tenant_id) == tenant_id,
                col(Knowledge.knowledge_base_id) == knowledge_base.id,
                col(Knowledge.file_hash) == digest,
            )
        )
    ).scalar_one_or_none()
    if existing is not None:
        raise DuplicateDocument(f"{name} is already in this knowledge base", existing_id=existing)
    await _charge_storage(session, tenant_id, len(data))
    knowledge_id = new_id()
    knowledge = Knowledge(
        id=knowledge_id,
        tenant_id=tenant_id,
        knowledge_base_id=knowledge_base.id,
        acl_principals=list(knowledge_base.access_list),  # jisik.access: no list of its own yet
        type=KnowledgeType.FILE,
        title=_title(name.rsplit(".", 1)[0], name),
        file_name=name,
        file_type=file_type,
        file_size=len(data),
        file_hash=digest,
        storage_key=original_key(tenant_id, knowledge_base.id, knowledge_id, name),
        expected_fields=dict(expected_fields or {}),
    )
    await store.put(knowledge.storage_key, data)
    try:
        await _announce(session, knowledge, knowledge_base)
        await session.flush()
    except BaseException:
        await store.delete(knowledge.storage_key)
        raise
    return knowledge


async def _charge_storage(session: AsyncSession, tenant_id: str, size: int) -> None:
    """Count ``size`` bytes against the tenant's storage quota (negative to release), and record the new
    level as a storage_bytes reading.

    :raises TooLarge: the upload would exceed the quota.
    """
    charged = await session.execute(
        update(Tenant)
        .where(col(Tenant.id) == tenant_id, col(Tenant.storage_used) + size <= col(Tenant.storage_quota))
        .values(storage_used=func.greatest(col(Tenant.storage_used) + size, 0))
        .returning(col(Tenant.storage_used))
    )
    used = charged.scalar_one_or_none()
    if used is None:
        raise TooLarge("the upload would exceed this tenant's storage quota", field="file")
    await record_usage(session, key=f"storage_bytes:{tenant_id}:{new_id()}", tenant_id=tenant_id,
                       metric=Metric.STORAGE_BYTES, quantity=int(used))


def _check_url(url: str, settings: Settings) -> str:
    """The shared address policy's shape check (no DNS here; the docreader resolves and re-checks)."""
    url = url.strip()
    if len(url) > settings.ingest.max_url_chars:
        raise InvalidInput(f"the URL is longer than {settings.ingest.max_url_chars} characters", field="url")
    AddressPolicy(settings.endpoints.egress_allow_list).check_url(url)
    return url


async def import_url(
    session: AsyncSession,
    *,
    tenant_id: str,
    knowledge_base: KnowledgeBase,
    url: str,
    title: str,
    settings: Settings,
    expected_fields: dict[str, str] | None = None,
) -> Knowledge:
    """Queue a web page for fetching (by the SSRF-guarded docreader) and parsing."""
    _check_base(knowledge_base, tenant_id)
    url = _check_url(url, settings)
    await check_limits(session, tenant_id, {Metric.PAGES_PARSED: 0}, settings.billing)
    knowledge = Knowledge(
        tenant_id=tenant_id,
        knowledge_base_id=knowledge_base.id,
        acl_principals=list(knowledge_base.access_list),  # jisik.access: no list of its own yet
        type=KnowledgeType.URL,
        title=_title(title, url),
        source=url,
        file_type="html",
        expected_fields=dict(expected_fields or {}),
    )
    await _announce(session, knowledge, knowledge_base)
    await session.flush()
    return knowledge


def _check_manual(title: str, content: str) -> None:
    if not title.strip():
        raise InvalidInput("the title is empty", field="title")
    if len(content) > MAX_MANUAL_CHARS:
        raise TooLarge(f"the document is longer than {MAX_MANUAL_CHARS} characters", field="content")


def _set_manual(knowledge: Knowledge, title: str, content: str, publish: bool) -> None:
    metadata: dict[str, Any] = dict(knowledge.metadata_)
    metadata[MANUAL_CONTENT] = content
    if publish:
        metadata[PUBLISHED_CONTENT] = content
    knowledge.metadata_ = metadata
    knowledge.title = _title(title, "untitled")
    knowledge.file_name = safe_file_name(f"{knowledge.title}.md")
    knowledge.file_size = len(content.encode())


async def create_manual(
    session: AsyncSession,
    *,
    tenant_id: str,
    knowledge_base: KnowledgeBase,
    title: str,
    content: str,
    publish: bool,
    expected_fields: dict[str, str] | None = None,
) -> Knowledge:
    """A Markdown document: a draft (stored, not searchable) or published (runs the pipeline)."""
    _check_base(knowledge_base, tenant_id)
    _check_manual(title, content)
    knowledge = Knowledge(
        tenant_id=tenant_id,
        knowledge_base_id=knowledge_base.id,
        acl_principals=list(knowledge_base.access_list),  # jisik.access: no list of its own yet
        type=KnowledgeType.MANUAL,
        file_type="md",
        parse_status=ParseStatus.DRAFT,
        expected_fields=dict(expected_fields or {}),
    )
    _set_manual(knowledge, title, content, publish)
    if publish:
        await _announce(session, knowledge, knowledge_base)
    else:
        session.add(knowledge)
    await session.flush()
    return knowledge


async def update_manual(
    session: AsyncSession,
    *,
    tenant_id: str,
    knowledge_id: str,
    title: str,
    content: str,
    publish: bool,
) -> Knowledge:
    """Edit a Markdown document. Publishing bumps the version; the index swaps old chunks for new in one step.

    Saving without publishing keeps the published version searchable and stores the edit as the draft.
    """
    knowledge = await _load(session, tenant_id, knowledge_id)
    if knowledge.type != KnowledgeType.MANUAL:
        raise InvalidInput("only Markdown documents written in the editor can be edited", field="knowledge_id")
    _check_manual(title, content)
    _set_manual(knowledge, title, content, publish)
    if publish:
        if knowledge.parse_status != ParseStatus.DRAFT:
            knowledge.version += 1
        await _announce(session, knowledge)
    else:
        session.add(knowledge)
    await session.flush()
    return knowledge


async def reprocess(session: AsyncSession, *, tenant_id: str, knowledge_id: str) -> Knowledge:
    """Run the whole pipeline again under a new version; events of the old version are dropped."""
    knowledge = await _load(session, tenant_id, knowledge_id)
    if knowledge.parse_status == ParseStatus.DRAFT:
        raise InvalidInput("a draft is not in the pipeline; publish it instead", field="knowledge_id")
    knowledge.version += 1
    await _announce(session, knowledge)
    await session.flush()
    return knowledge


async def delete_knowledge(
    session: AsyncSession, store: ObjectStore, *, tenant_id: str, knowledge_id: str
) -> int:
    """Remove the document's row (chunks cascade) and its stored objects; returns how many objects went.
    Its index entries go when the delete has committed: CDC's index.meta applier owns that
    (cdc/index_meta.py)."""
    knowledge = await _load(session, tenant_id, knowledge_id)
    if knowledge.type == KnowledgeType.FILE:
        await _charge_storage(session, tenant_id, -knowledge.file_size)
    await session.delete(knowledge)
    await session.flush()
    return await store.delete_prefix(knowledge_prefix(tenant_id, knowledge.knowledge_base_id, knowledge_id))


async def draft_from_answer(
    session: AsyncSession, *, tenant_id: str, knowledge_base: KnowledgeBase, question: str, answer: str
) -> Knowledge:
    """"Add to knowledge base" from a chat answer: a Markdown draft the user can edit and publish."""
    if not answer.strip():
        raise InvalidInput("the answer is empty", field="answer")
    title = _title(question, "Answer")
    content = f"# {title}\n\n{answer.strip()}\n"
    knowledge = await create_manual(
        session, tenant_id=tenant_id, knowledge_base=knowledge_base, title=title, content=content, publish=False
    )
    knowledge.metadata_ = {**knowledge.metadata_, "origin": "chat_answer", "question": question[:2000]}
    session.add(knowledge)
    await session.flush()
    return knowledge
