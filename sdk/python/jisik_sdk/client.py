"""The synchronous client. Every call names its route as the gateway's OpenAPI document does
(``"GET", "/knowledge-bases/{knowledge_base_id}"``) and the model of its ``data``; a test in the
jisik repository checks both against the document, so the SDK cannot drift from the gateway."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Generic, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel

from .errors import ApiError, IndexingFailed, StreamInterrupted
from .models import (
    AuditEventPublic,
    DeliveryPublic,
    DocumentFieldsPublic,
    EndpointCreated,
    EndpointPublic,
    EventTypePublic,
    FieldSchemaPublic,
    KnowledgeBasePublic,
    KnowledgePublic,
    ReplayResult,
    ReviewQueueItem,
    SearchResult,
    SessionPublic,
    TenantPublic,
)
from .streaming import ChatEvent, sse_data

__all__ = ["API_PREFIX", "Jisik", "Page"]

API_PREFIX = "/api/v1"
M = TypeVar("M", bound=BaseModel)
_FINISHED = {"completed"}
_FAILED = {"failed"}


@dataclass(frozen=True, slots=True)
class Page(Generic[M]):
    """One page of a listing and the total number of items across all pages."""

    items: list[M]
    total: int
    page: int
    page_size: int


def _body(values: Mapping[str, Any]) -> dict[str, Any]:
    """Request JSON without the arguments left out (None), so the gateway applies its defaults."""
    return {name: value for name, value in values.items() if value is not None}


class Jisik:
    """A client for one tenant (its API key) of one gateway.

    >>> with Jisik("http://127.0.0.1:8080", api_key="sk-...") as jisik:  # doctest: +SKIP
    ...     base = jisik.create_knowledge_base("handbook")
    """

    def __init__(
        self, base_url: str, api_key: str, *, timeout: float = 30.0, transport: httpx.BaseTransport | None = None
    ) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/") + API_PREFIX, headers={"X-API-Key": api_key}, timeout=timeout,
            transport=transport,
        )

    def __enter__(self) -> Jisik:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # Plumbing ------------------------------------------------------------------------------------

    def _send(self, method: str, route: str, path: Mapping[str, str] | None = None, **kwargs: Any) -> Any:
        url = route.format(**{name: quote(str(value), safe="") for name, value in (path or {}).items()})
        response = self._http.request(method, url, **kwargs)
        return _checked(response)

    def _one(self, method: str, route: str, model: type[M], path: Mapping[str, str] | None = None,
             **kwargs: Any) -> M:
        return model.model_validate(self._send(method, route, path, **kwargs)["data"])

    def _many(self, method: str, route: str, model: type[M], path: Mapping[str, str] | None = None,
              **kwargs: Any) -> list[M]:
        return [model.model_validate(item) for item in self._send(method, route, path, **kwargs)["data"]]

    def _page(self, method: str, route: str, model: type[M], path: Mapping[str, str] | None = None,
              **kwargs: Any) -> Page[M]:
        body = self._send(method, route, path, **kwargs)
        return Page([model.model_validate(item) for item in body["data"]], int(body["total"]), int(body["page"]),
                    int(body["page_size"]))

    def _nothing(self, method: str, route: str, path: Mapping[str, str] | None = None, **kwargs: Any) -> None:
        self._send(method, route, path, **kwargs)

    def _events(self, method: str, route: str, path: Mapping[str, str], **kwargs: Any) -> Iterator[ChatEvent]:
        url = route.format(**{name: quote(value, safe="") for name, value in path.items()})
        with self._http.stream(method, url, headers={"Accept": "text/event-stream"}, timeout=None,
                               **kwargs) as response:
            if response.status_code >= 400:
                response.read()
                _checked(response)
            finished = False
            try:
                for data in sse_data(response.iter_lines()):
                    event = ChatEvent.model_validate_json(data)
                    finished = finished or event.done
                    yield event
            except httpx.TransportError as exc:
                raise StreamInterrupted(str(exc)) from exc
            if not finished:
                raise StreamInterrupted("the stream ended before its final event")

    # Tenant --------------------------------------------------------------------------------------

    def tenant(self) -> TenantPublic:
        """The tenant this client's key belongs to."""
        return self._many("GET", "/tenants", TenantPublic)[0]

    # Knowledge bases -----------------------------------------------------------------------------

    def list_knowledge_bases(self) -> list[KnowledgeBasePublic]:
        return self._many("GET", "/knowledge-bases", KnowledgeBasePublic)

    def create_knowledge_base(self, name: str, *, description: str | None = None,
                              chunking_config: Mapping[str, Any] | None = None,
                              embedding_model_id: str | None = None) -> KnowledgeBasePublic:
        body = _body({"name": name, "description": description, "chunking_config": chunking_config,
                      "embedding_model_id": embedding_model_id})
        return self._one("POST", "/knowledge-bases", KnowledgeBasePublic, json=body)

    def get_knowledge_base(self, knowledge_base_id: str) -> KnowledgeBasePublic:
        return self._one("GET", "/knowledge-bases/{knowledge_base_id}", KnowledgeBasePublic,
                         {"knowledge_base_id": knowledge_base_id})

    def update_knowledge_base(self, knowledge_base_id: str, *, name: str | None = None,
                              description: str | None = None,
                              chunking_config: Mapping[str, Any] | None = None) -> KnowledgeBasePublic:
        body = _body({"name": name, "description": description, "chunking_config": chunking_config})
        return self._one("PUT", "/knowledge-bases/{knowledge_base_id}", KnowledgeBasePublic,
                         {"knowledge_base_id": knowledge_base_id}, json=body)

    def delete_knowledge_base(self, knowledge_base_id: str) -> None:
        self._nothing("DELETE", "/knowledge-bases/{knowledge_base_id}", {"knowledge_base_id": knowledge_base_id})

    # Documents -----------------------------------------------------------------------------------

    def upload(self, knowledge_base_id: str, file: str | Path | bytes | IO[bytes], *, filename: str | None = None,
               expected_fields: Mapping[str, Any] | None = None) -> KnowledgePublic:
        """Upload a file (a path, bytes or an open binary file); it is parsed and indexed in the background."""
        if isinstance(file, (str, Path)):
            content: bytes | IO[bytes] = Path(file).read_bytes()
            filename = filename or Path(file).name
        else:
            content = file
        if not filename:
            raise ValueError("filename is required when uploading bytes or a file object")
        data = {"expected_fields": json.dumps(expected_fields)} if expected_fields else None
        return self._one("POST", "/knowledge-bases/{knowledge_base_id}/knowledge/file", KnowledgePublic,
                         {"knowledge_base_id": knowledge_base_id}, files={"file": (filename, content)}, data=data)

    def get_document(self, document_id: str) -> KnowledgePublic:
        return self._one("GET", "/knowledge/{knowledge_id}", KnowledgePublic, {"knowledge_id": document_id})

    def list_documents(self, knowledge_base_id: str, *, page: int = 1, page_size: int = 20) -> Page[KnowledgePublic]:
        return self._page("GET", "/knowledge-bases/{knowledge_base_id}/knowledge", KnowledgePublic,
                          {"knowledge_base_id": knowledge_base_id}, params={"page": page, "page_size": page_size})

    def delete_document(self, document_id: str) -> None:
        self._nothing("DELETE", "/knowledge/{knowledge_id}", {"knowledge_id": document_id})

    def wait_until_indexed(self, document_id: str, *, timeout_s: float = 300.0,
                           poll_s: float = 0.5) -> KnowledgePublic:
        """Poll the document until it is searchable; :class:`IndexingFailed` when ingest gave up,
        ``TimeoutError`` when ``timeout_s`` passed first."""
        deadline = time.monotonic() + timeout_s
        while True:
            document = self.get_document(document_id)
            if document.parse_status in _FINISHED:
                return document
            if document.parse_status in _FAILED:
                raise IndexingFailed(document_id, document.error_message)
            if time.monotonic() >= deadline:
                raise TimeoutError(f"document {document_id} is still {document.parse_status} after {timeout_s} s")
            time.sleep(poll_s)

    # Search and chat -----------------------------------------------------------------------------

    def search(self, query: str, *, knowledge_base_ids: list[str] | None = None,
               match_count: int | None = None) -> list[SearchResult]:
        """Hybrid search over the tenant's documents (or the given knowledge bases)."""
        body = _body({"query": query, "knowledge_base_ids": knowledge_base_ids, "match_count": match_count})
        return self._many("POST", "/knowledge-search", SearchResult, json=body)

    def create_session(self, knowledge_base_ids: list[str], *, title: str | None = None) -> SessionPublic:
        return self._one("POST", "/sessions", SessionPublic,
                         json=_body({"knowledge_base_ids": knowledge_base_ids, "title": title}))

    def chat(self, session_id: str, query: str) -> Iterator[ChatEvent]:
        """Ask a question; yields the answer's events as they stream (the last one has ``done=True``)."""
        return self._events("POST", "/knowledge-chat/{session_id}", {"session_id": session_id},
                            json={"query": query})

    def continue_stream(self, session_id: str) -> Iterator[ChatEvent]:
        """Re-attach to an answer still being generated (after a dropped connection)."""
        return self._events("GET", "/sessions/continue-stream/{session_id}", {"session_id": session_id})

    # Fields and review ---------------------------------------------------------------------------

    def get_field_schema(self, knowledge_base_id: str) -> FieldSchemaPublic:
        return self._one("GET", "/knowledge-bases/{knowledge_base_id}/field-schema", FieldSchemaPublic,
                         {"knowledge_base_id": knowledge_base_id})

    def set_field_schema(self, knowledge_base_id: str, schema: Mapping[str, Any]) -> FieldSchemaPublic:
        """Define the fields to extract (a new schema version; see the README's fields section)."""
        return self._one("PUT", "/knowledge-bases/{knowledge_base_id}/field-schema", FieldSchemaPublic,
                         {"knowledge_base_id": knowledge_base_id}, json=dict(schema))

    def document_fields(self, document_id: str) -> DocumentFieldsPublic:
        return self._one("GET", "/knowledge/{knowledge_id}/fields", DocumentFieldsPublic,
                         {"knowledge_id": document_id})

    def review_queue(self, status: str = "needs_review", *, knowledge_base_id: str | None = None,
                     page: int = 1, page_size: int = 50) -> Page[ReviewQueueItem]:
        params = _body({"status": status, "knowledge_base_id": knowledge_base_id, "page": page,
                        "page_size": page_size})
        return self._page("GET", "/review-queue", ReviewQueueItem, params=params)

    def review(self, document_id: str, decision: str, *, corrections: Mapping[str, Any] | None = None,
               comment: str | None = None, revision: int | None = None) -> DocumentFieldsPublic:
        """Approve or reject a document's fields, with corrected values (``revision`` guards against
        overwriting a newer reading)."""
        body = _body({"decision": decision, "corrections": dict(corrections or {}), "comment": comment,
                      "revision": revision})
        return self._one("POST", "/knowledge/{knowledge_id}/review", DocumentFieldsPublic,
                         {"knowledge_id": document_id}, json=body)

    # Webhooks ------------------------------------------------------------------------------------

    def webhook_event_types(self) -> list[EventTypePublic]:
        """Every event type with its schema version and the JSON schema of its ``data``."""
        return self._many("GET", "/webhooks/event-types", EventTypePublic)

    def create_webhook(self, url: str, event_types: list[str], *, description: str | None = None,
                       enabled: bool | None = None) -> EndpointCreated:
        """Register an endpoint; the answer's ``secret`` (whsec_...) is shown this once."""
        body = _body({"url": url, "event_types": event_types, "description": description, "enabled": enabled})
        return self._one("POST", "/webhooks", EndpointCreated, json=body)

    def list_webhooks(self) -> list[EndpointPublic]:
        return self._many("GET", "/webhooks", EndpointPublic)

    def get_webhook(self, endpoint_id: str) -> EndpointPublic:
        return self._one("GET", "/webhooks/{endpoint_id}", EndpointPublic, {"endpoint_id": endpoint_id})

    def update_webhook(self, endpoint_id: str, *, url: str | None = None, event_types: list[str] | None = None,
                       description: str | None = None, enabled: bool | None = None) -> EndpointPublic:
        body = _body({"url": url, "event_types": event_types, "description": description, "enabled": enabled})
        return self._one("PUT", "/webhooks/{endpoint_id}", EndpointPublic, {"endpoint_id": endpoint_id}, json=body)

    def delete_webhook(self, endpoint_id: str) -> None:
        self._nothing("DELETE", "/webhooks/{endpoint_id}", {"endpoint_id": endpoint_id})

    def rotate_webhook_secret(self, endpoint_id: str) -> EndpointCreated:
        """A new secret (shown once); the previous one keeps signing beside it for 24 hours."""
        return self._one("POST", "/webhooks/{endpoint_id}/rotate-secret", EndpointCreated,
                         {"endpoint_id": endpoint_id})

    def webhook_deliveries(self, endpoint_id: str, *, status: str | None = None, since: datetime | None = None,
                           until: datetime | None = None, page: int = 1,
                           page_size: int = 20) -> Page[DeliveryPublic]:
        """Newest first, each with its attempts (result, status code, latency, the answer's first bytes)."""
        params = _body({"status": status, "since": since.isoformat() if since else None,
                        "until": until.isoformat() if until else None, "page": page, "page_size": page_size})
        return self._page("GET", "/webhooks/{endpoint_id}/deliveries", DeliveryPublic,
                          {"endpoint_id": endpoint_id}, params=params)

    def replay_webhook_delivery(self, endpoint_id: str, delivery_id: str) -> ReplayResult:
        """Send one delivery again now, with the same webhook-id."""
        return self._one("POST", "/webhooks/{endpoint_id}/deliveries/{delivery_id}/replay", ReplayResult,
                         {"endpoint_id": endpoint_id, "delivery_id": delivery_id})

    def replay_webhooks(self, endpoint_id: str, since: datetime, until: datetime, *,
                        only_failed: bool | None = None) -> ReplayResult:
        """Send again the deliveries of events created in [since, until)."""
        body = _body({"since": since.isoformat(), "until": until.isoformat(), "only_failed": only_failed})
        return self._one("POST", "/webhooks/{endpoint_id}/replay", ReplayResult, {"endpoint_id": endpoint_id},
                         json=body)

    # Audit trail ---------------------------------------------------------------------------------

    def audit(self, *, entity_type: str | None = None, entity_id: str | None = None,
              knowledge_base_id: str | None = None, document_id: str | None = None, actor: str | None = None,
              since: datetime | None = None, page: int = 1, page_size: int = 50) -> Page[AuditEventPublic]:
        """Who changed what, newest first (``knowledge_base_id``: everything in that base; ``document_id``:
        the document with its fields and reviews)."""
        params = _body({"entity_type": entity_type, "entity_id": entity_id, "knowledge_base_id": knowledge_base_id,
                        "document_id": document_id, "actor": actor,
                        "since": since.isoformat() if since else None, "page": page, "page_size": page_size})
        return self._page("GET", "/audit", AuditEventPublic, params=params)


def _checked(response: httpx.Response) -> Any:
    """The JSON body of a successful response; :class:`ApiError` with jisik's error code otherwise."""
    try:
        body = response.json() if response.content else {}
    except ValueError:
        body = {"error": {"code": str(response.status_code), "message": response.text[:300]}}
    if response.is_success and not (isinstance(body, dict) and body.get("success") is False):
        return body
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        raise ApiError(response.status_code, str(error.get("code", response.status_code)),
                       str(error.get("message", "")), error.get("field"))
    raise ApiError(response.status_code, str(response.status_code), str(body)[:300])
