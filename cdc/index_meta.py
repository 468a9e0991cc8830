"""``index.meta``: each knowledge's search-relevant state, and its application to the retriever.

:class:`IndexMetaMaterializer` turns ``db.knowledges`` change events into one compact record per
knowledge (key = knowledge id), emitted only when a field the index cares about changed.
:class:`RetrieverAccessApplier` consumes ``index.meta`` (from this materializer or from the Flink
job in cdc/flink/) and is the one owner of a document's index state after ingest indexed it: an ACL
or enable/disable change reaches search through ``SetKnowledgeAccess``, a deleted document (also one
deleted with its knowledge base or tenant: the rows cascade) has its chunks deleted. No route touches
the index for these, so nothing reaches search before its transaction commits. Both are idempotent:
the record is a full state, not a delta, and applying it twice changes nothing.

The Flink job's upsert sink turns a delete into a tombstone, which carries no tenant; the chunks of
such a document stay in the index until its knowledge base is deleted, and are never shown (chat and
search drop hits whose document is gone from the database).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from typing import Any, Literal

import grpc
from aiokafka import ConsumerRecord
from pydantic import BaseModel, ConfigDict, ValidationError

from jisik.clients.retriever import RetrieverClient
from jisik.db.models import ParseStatus
from jisik.errors import Blocked, InvalidInput, NotFound
from jisik.events import Topic, cdc_topic
from jisik.grpc_server import grpc_channel
from jisik.settings import CdcSettings, EndpointSettings, KafkaSettings

from .change_event import ChangeEvent, parse_change
from .publisher import OrderedPublisher
from .records import KafkaRecord, tombstone

__all__ = ["IndexMetaMaterializer", "KnowledgeMeta", "RetrieverAccessApplier", "meta_change"]

logger = logging.getLogger(__name__)

# Refusals that will not get better by retrying the same request.
_PERMANENT = (InvalidInput, NotFound, Blocked)


class KnowledgeMeta(BaseModel):
    """The value of an ``index.meta`` record."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    schema_version: Literal[1] = 1
    tenant_id: str
    knowledge_base_id: str
    knowledge_id: str
    parse_status: str
    enabled: bool
    acl_principals: list[str]
    version: int
    deleted: bool = False


def _status(raw: Any) -> str:
    """The DB stores the enum's name (COMPLETED); index.meta carries its value (completed)."""
    text = str(raw or "")
    return ParseStatus[text].value if text in ParseStatus.__members__ else text.lower()


def _meta(row: dict[str, Any]) -> KnowledgeMeta:
    return KnowledgeMeta(
        tenant_id=str(row["tenant_id"]),
        knowledge_base_id=str(row["knowledge_base_id"]),
        knowledge_id=str(row["id"]),
        parse_status=_status(row.get("parse_status")),
        enabled=row.get("enable_status", "enabled") == "enabled",
        acl_principals=[str(item) for item in row.get("acl_principals") or [] if item is not None],
        version=int(row.get("version") or 1),
    )


def meta_change(event: ChangeEvent) -> KnowledgeMeta | None:
    """The new index.meta of a knowledge change, or None when nothing the index uses changed."""
    if event.op in ("c", "r") and event.after is not None:
        return _meta(event.after)
    if event.op == "u" and event.after is not None:
        new = _meta(event.after)
        return None if event.before is not None and _meta(event.before) == new else new
    if event.op == "d" and event.before is not None:
        return _meta(event.before).model_copy(update={"deleted": True, "enabled": False})
    return None


class IndexMetaMaterializer:
    """db.knowledges -> index.meta."""

    name = "index-meta"

    def __init__(self, cdc: CdcSettings, kafka: KafkaSettings, bootstrap_servers: str | None = None) -> None:
        self.topics: tuple[str, ...] = (cdc_topic("knowledges"),)
        self.group_id = cdc.index_meta_group
        self._publisher = OrderedPublisher(kafka, bootstrap_servers)

    async def start(self) -> None:
        await self._publisher.start()

    async def stop(self) -> None:
        await self._publisher.stop()

    async def handle(self, records: Sequence[ConsumerRecord[bytes, bytes]]) -> None:
        out: list[KafkaRecord] = []
        for record in records:
            try:
                event = parse_change(record)
                meta = meta_change(event) if event is not None else None
            except (ValueError, KeyError, ValidationError):
                logger.warning("skipping a malformed change event at %s@%d", record.topic, record.offset)
                continue
            if meta is not None:
                record = KafkaRecord(Topic.INDEX_META.value, meta.knowledge_id.encode(), meta.model_dump_json().encode())
                # A deleted document's record is followed by a tombstone, so compaction forgets the document.
                out += [record, tombstone(record)] if meta.deleted else [record]
        await self._publisher.send(out)


class RetrieverAccessApplier:
    """index.meta -> retriever access update, or deletion of a deleted document's chunks; the newest
    record per knowledge in a batch wins."""

    name = "retriever-access"

    def __init__(self, cdc: CdcSettings, endpoints: EndpointSettings, retriever_addr: str | None = None) -> None:
        self.topics: tuple[str, ...] = (Topic.INDEX_META.value,)
        self.group_id = cdc.retriever_access_group
        self._endpoints = endpoints
        self._address = retriever_addr or endpoints.retriever_addr
        self._timeout = cdc.retriever_timeout_s
        self._channel: grpc.aio.Channel | None = None
        self._retriever: RetrieverClient | None = None
        self.applied = 0

    async def start(self) -> None:
        self._channel = grpc_channel(self._address, self._endpoints)
        self._retriever = RetrieverClient(self._channel, timeout_s=self._timeout)

    async def stop(self) -> None:
        if self._channel is not None:
            await self._channel.close()
            self._channel = None

    async def handle(self, records: Sequence[ConsumerRecord[bytes, bytes]]) -> None:
        latest: dict[str, KnowledgeMeta] = {}
        for record in records:
            if record.value is None:
                continue  # tombstone (Flink upsert sink): no tenant to delete in, see the module docstring
            try:
                meta = KnowledgeMeta.model_validate(json.loads(record.value))
            except (ValueError, ValidationError):
                logger.warning("skipping a malformed index.meta record at offset %d", record.offset)
                continue
            latest[meta.knowledge_id] = meta
        # Knowledges that end with the same state go in one call (a knowledge base's new access list
        # reaches all its documents in one retriever transaction).
        groups: dict[tuple[str, bool, bool, tuple[str, ...]], list[str]] = {}
        for meta in latest.values():
            key = (meta.tenant_id, meta.deleted, meta.enabled, tuple(meta.acl_principals))
            groups.setdefault(key, []).append(meta.knowledge_id)
        await asyncio.gather(*(self._apply(*key, knowledge_ids) for key, knowledge_ids in groups.items()))

    async def _apply(
        self, tenant_id: str, deleted: bool, enabled: bool, principals: tuple[str, ...], knowledge_ids: list[str]
    ) -> None:
        if self._retriever is None:
            raise RuntimeError("RetrieverAccessApplier.handle before start()")
        try:
            if deleted:
                await self._retriever.delete(tenant_id, knowledge_ids=knowledge_ids)
            else:
                await self._retriever.set_access(tenant_id, knowledge_ids, acl_principals=principals, enabled=enabled)
        except _PERMANENT as exc:
            logger.warning("retriever refused access update for %d knowledges: %s", len(knowledge_ids), exc.code)
            return
        self.applied += len(knowledge_ids)
