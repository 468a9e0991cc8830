"""Documents ("knowledge"): upload, URL import, Markdown drafts, listing, download, reprocess, delete.
Writes go through ingest.commands, which queue the document for the pipeline in the same transaction."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Path, Query, UploadFile
from fastapi.responses import Response
from pydantic import TypeAdapter, ValidationError

from ingest import commands
from ingest.erasure import erase_knowledge
from ingest.keys import MANUAL_CONTENT
from jisik.db.models import KnowledgeType
from jisik.errors import InvalidInput, NotFound, TooLarge, UnsupportedFormat

from ..access import AccessDep, ChatOwnerDep
from ..deps import ResourcesDep, SessionDep, SettingsDep, StoreDep, TenantDep, require_scope
from ..repositories import knowledge as repo
from ..repositories.chunks import chunk_contents
from ..repositories.knowledge_bases import get_knowledge_base
from ..repositories.messages import get_message, question_of
from ..repositories.sessions import get_session
from ..schemas.common import Envelope, Paged
from ..schemas.knowledge import (
    AnswerToKnowledge,
    ErasureReceiptPublic,
    ExpectedFields,
    KnowledgeFromUrl,
    KnowledgePublic,
    KnowledgeUpdate,
    ManualKnowledge,
)
from ..services.pdf_pages import render_page

router = APIRouter(tags=["knowledge"])

Page = Annotated[int, Query(ge=1, le=1_000_000)]
PageSize = Annotated[int, Query(ge=1, le=1000)]


def _ok(data: Any) -> dict[str, Any]:
    return {"success": True, "data": data}


def _expected(values: dict[str, Any]) -> dict[str, str]:
    return {name: str(value) for name, value in values.items()}


_EXPECTED = TypeAdapter(ExpectedFields)


def _expected_from_form(raw: str | None) -> dict[str, str]:
    """The multipart ``expected_fields`` part: a JSON object of field name -> value."""
    if not raw or not raw.strip():
        return {}
    try:
        return _expected(_EXPECTED.validate_json(raw))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in ("expected_fields", *first["loc"]))
        raise InvalidInput(f"{where}: {first['msg']}", field="expected_fields") from exc


@router.post(
    "/knowledge-bases/{knowledge_base_id}/knowledge/file", status_code=201, response_model=Envelope[KnowledgePublic],
    dependencies=[require_scope("write")],
)
async def upload(
    knowledge_base_id: str,
    file: Annotated[UploadFile, File(description="The document")],
    tenant: TenantDep,
    session: SessionDep,
    store: StoreDep,
    settings: SettingsDep,
    expected_fields: Annotated[
        str | None, Form(description="JSON object: field name -> the value expected in the document")
    ] = None,
) -> dict[str, Any]:
    """Upload a file; it is parsed, checked and indexed in the background (poll /knowledge/batch)."""
    expected = _expected_from_form(expected_fields)
    limit = settings.gateway.max_upload_mb * 1024 * 1024
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"the file is larger than {settings.gateway.max_upload_mb} MiB", field="file")
    knowledge_base = await get_knowledge_base(session=session, tenant_id=tenant.id, knowledge_base_id=knowledge_base_id)
    knowledge = await commands.upload_file(
        session, store, tenant_id=tenant.id, knowledge_base=knowledge_base,
        file_name=file.filename or "upload", data=data, settings=settings, expected_fields=expected,
    )
    return _ok(knowledge)


@router.post(
    "/knowledge-bases/{knowledge_base_id}/knowledge/url", status_code=201, response_model=Envelope[KnowledgePublic],
    dependencies=[require_scope("write")],
)
async def from_url(
    knowledge_base_id: str, body: KnowledgeFromUrl, tenant: TenantDep, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    """Import a web page (fetched by the SSRF-guarded docreader)."""
    knowledge_base = await get_knowledge_base(session=session, tenant_id=tenant.id, knowledge_base_id=knowledge_base_id)
    knowledge = await commands.import_url(
        session, tenant_id=tenant.id, knowledge_base=knowledge_base, url=body.url, title=body.title, settings=settings,
        expected_fields=_expected(body.expected_fields),
    )
    return _ok(knowledge)


@router.post(
    "/knowledge-bases/{knowledge_base_id}/knowledge/manual", status_code=201, response_model=Envelope[KnowledgePublic],
    dependencies=[require_scope("write")],
)
async def create_manual(
    knowledge_base_id: str, body: ManualKnowledge, tenant: TenantDep, session: SessionDep
) -> dict[str, Any]:
    """Write a Markdown document: a draft, or published straight into the pipeline."""
    knowledge_base = await get_knowledge_base(session=session, tenant_id=tenant.id, knowledge_base_id=knowledge_base_id)
    knowledge = await commands.create_manual(
        session, tenant_id=tenant.id, knowledge_base=knowledge_base, title=body.title, content=body.content,
        publish=body.status == "publish", expected_fields=_expected(body.expected_fields),
    )
    return _ok(knowledge)


@router.put(
    "/knowledge/manual/{knowledge_id}", response_model=Envelope[KnowledgePublic],
    dependencies=[require_scope("write")],
)
async def update_manual(
    knowledge_id: str, body: ManualKnowledge, tenant: TenantDep, access: AccessDep, session: SessionDep
) -> dict[str, Any]:
    """Save a new draft of a Markdown document, or publish it (the index swaps old chunks for new)."""
    await repo.get_knowledge(session=session, tenant_id=tenant.id, knowledge_id=knowledge_id, access=access)
    knowledge = await commands.update_manual(
        session, tenant_id=tenant.id, knowledge_id=knowledge_id, title=body.title, content=body.content,
        publish=body.status == "publish",
    )
    return _ok(knowledge)


@router.post(
    "/knowledge/from-answer", status_code=201, response_model=Envelope[KnowledgePublic],
    dependencies=[require_scope("write")],
)
async def from_answer(
    body: AnswerToKnowledge, tenant: TenantDep, owner: ChatOwnerDep, session: SessionDep
) -> dict[str, Any]:
    """"Add to knowledge base": a Markdown draft made from a chat answer (by message id, or given text)."""
    question, answer = body.question or "", body.answer or ""
    if body.message_id:
        message = await get_message(session=session, tenant_id=tenant.id, message_id=body.message_id)
        await get_session(session=session, tenant_id=tenant.id, session_id=message.session_id, owner=owner)
        if message.role != "assistant":
            raise InvalidInput("the message is not an answer", field="message_id")
        answer = answer or message.content
        if not question:
            question = await question_of(
                session=session, tenant_id=tenant.id, session_id=message.session_id, request_id=message.request_id
            )
    if not answer.strip():
        raise InvalidInput("give message_id or answer", field="answer")
    knowledge_base = await get_knowledge_base(
        session=session, tenant_id=tenant.id, knowledge_base_id=body.knowledge_base_id
    )
    knowledge = await commands.draft_from_answer(
        session, tenant_id=tenant.id, knowledge_base=knowledge_base, question=question or "Answer", answer=answer
    )
    return _ok(knowledge)


@router.get(
    "/knowledge-bases/{knowledge_base_id}/knowledge", response_model=Paged[KnowledgePublic],
    dependencies=[require_scope("read")],
)
async def list_documents(
    knowledge_base_id: str,
    tenant: TenantDep,
    access: AccessDep,
    session: SessionDep,
    settings: SettingsDep,
    page: Page = 1,
    page_size: PageSize = 20,
) -> dict[str, Any]:
    await get_knowledge_base(session=session, tenant_id=tenant.id, knowledge_base_id=knowledge_base_id)
    page_size = min(page_size, settings.gateway.max_page_size)
    rows, total = await repo.list_knowledge(
        session=session, tenant_id=tenant.id, knowledge_base_id=knowledge_base_id, access=access, page=page,
        page_size=page_size,
    )
    return {"success": True, "data": rows, "total": total, "page": page, "page_size": page_size}


@router.get(
    "/knowledge/batch", response_model=Envelope[list[KnowledgePublic]],
    dependencies=[require_scope("read")],
)
async def batch(
    tenant: TenantDep, access: AccessDep, session: SessionDep, ids: Annotated[list[str], Query(max_length=500)]
) -> dict[str, Any]:
    """Several documents at once (the UI polls parse status with it); ids may repeat or be comma-separated."""
    wanted = [part for value in ids for part in value.split(",") if part]
    if len(wanted) > 500:
        raise TooLarge("at most 500 ids per request", field="ids")
    return _ok(await repo.batch_knowledge(session=session, tenant_id=tenant.id, ids=wanted, access=access))


@router.get(
    "/knowledge/{knowledge_id}", response_model=Envelope[KnowledgePublic],
    dependencies=[require_scope("read")],
)
async def get(knowledge_id: str, tenant: TenantDep, access: AccessDep, session: SessionDep) -> dict[str, Any]:
    return _ok(await repo.get_knowledge(session=session, tenant_id=tenant.id, knowledge_id=knowledge_id, access=access))


@router.put(
    "/knowledge/{knowledge_id}", response_model=Envelope[KnowledgePublic],
    dependencies=[require_scope("write")],
)
async def update(
    knowledge_id: str, body: KnowledgeUpdate, tenant: TenantDep, access: AccessDep, session: SessionDep
) -> dict[str, Any]:
    """Rename, describe, or enable/disable a document. A disabled document is never retrieved: search
    checks the database at once, and the index follows the commit (CDC's index.meta)."""
    knowledge = await repo.get_knowledge(session=session, tenant_id=tenant.id, knowledge_id=knowledge_id, access=access)
    values = body.model_dump(exclude_unset=True)
    return _ok(await repo.update_knowledge(session=session, knowledge=knowledge, values=values))


@router.delete(
    "/knowledge/{knowledge_id}", response_model=Envelope[ErasureReceiptPublic | None],
    dependencies=[require_scope("write")],
)
async def delete(
    knowledge_id: str,
    tenant: TenantDep,
    access: AccessDep,
    session: SessionDep,
    store: StoreDep,
    resources: ResourcesDep,
    erase: Annotated[bool, Query(description="Erase at once, with the chat turns citing it; returns a receipt")] = False,
) -> dict[str, Any]:
    """Delete the document, its chunks and its stored files; its index entries follow the commit (CDC).
    With ``erase=true`` everything made from it goes at once (index entries, images, citing chat turns)
    and the answer is a receipt of what was removed."""
    await repo.get_knowledge(session=session, tenant_id=tenant.id, knowledge_id=knowledge_id, access=access)
    if erase:
        receipt = await erase_knowledge(
            session, store, resources.clients.retriever, tenant_id=tenant.id, knowledge_id=knowledge_id
        )
        return _ok(receipt.as_dict())
    await commands.delete_knowledge(session, store, tenant_id=tenant.id, knowledge_id=knowledge_id)
    return _ok(None)


@router.post(
    "/knowledge/{knowledge_id}/reprocess", response_model=Envelope[KnowledgePublic],
    dependencies=[require_scope("write")],
)
async def reprocess(knowledge_id: str, tenant: TenantDep, access: AccessDep, session: SessionDep) -> dict[str, Any]:
    """Run the whole pipeline again (e.g. after a failure or a chunking change)."""
    await repo.get_knowledge(session=session, tenant_id=tenant.id, knowledge_id=knowledge_id, access=access)
    return _ok(await commands.reprocess(session, tenant_id=tenant.id, knowledge_id=knowledge_id))


@router.get(
    "/knowledge/{knowledge_id}/download", response_class=Response,
    dependencies=[require_scope("read")],
)
async def download(
    knowledge_id: str, tenant: TenantDep, access: AccessDep, session: SessionDep, store: StoreDep
) -> Response:
    """The original file (or the Markdown of an editor document)."""
    knowledge = await repo.get_knowledge(session=session, tenant_id=tenant.id, knowledge_id=knowledge_id, access=access)
    if knowledge.type == KnowledgeType.MANUAL:
        data = str(knowledge.metadata_.get(MANUAL_CONTENT, "")).encode()
        media_type = "text/markdown; charset=utf-8"
    elif knowledge.storage_key:
        data = await store.get(knowledge.storage_key)
        media_type = "application/octet-stream"
    else:
        raise NotFound(f"document {knowledge_id} has no stored file", field="knowledge_id")
    name = knowledge.file_name or f"{knowledge.id}.bin"
    disposition = f"attachment; filename*=UTF-8''{quote(name)}"
    return Response(data, media_type=media_type, headers={"Content-Disposition": disposition})


@router.get(
    "/knowledge/{knowledge_id}/pages/{page}.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "The page, cited passages highlighted"}},
    dependencies=[require_scope("read")],
)
async def page_image(
    knowledge_id: str,
    page: Annotated[int, Path(ge=1, le=100_000)],
    tenant: TenantDep,
    access: AccessDep,
    session: SessionDep,
    store: StoreDep,
    settings: SettingsDep,
    chunk_id: Annotated[list[str], Query(max_length=50)] = [],  # noqa: B006 - FastAPI reads the default
    focus: Annotated[str, Query(max_length=1000)] = "",
) -> Response:
    """One page of a PDF document as PNG; the text of the given chunks is highlighted where it appears.
    With ``focus`` (the answer's sentence citing them), only the chunks' sentences that support it are
    highlighted when they are on this page (``X-Focused: 1``)."""
    knowledge = await repo.get_knowledge(session=session, tenant_id=tenant.id, knowledge_id=knowledge_id, access=access)
    if knowledge.file_type != "pdf" or not knowledge.storage_key:
        raise UnsupportedFormat("page images exist only for PDF documents", field="knowledge_id")
    passages = await chunk_contents(
        session=session, tenant_id=tenant.id, knowledge_id=knowledge_id, chunk_ids=list(dict.fromkeys(chunk_id))
    )
    data = await store.get(knowledge.storage_key)
    rendered = await asyncio.to_thread(
        render_page, data, page, passages, zoom=settings.gateway.page_image_zoom, focus=focus
    )
    headers = {
        "Cache-Control": "private, max-age=300",
        "X-Page-Count": str(rendered.page_count),
        "X-Highlights": str(rendered.highlights),
        "X-Focused": "1" if rendered.focused else "0",
    }
    return Response(rendered.png, media_type="image/png", headers=headers)
