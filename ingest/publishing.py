"""Publishing documents.* events from the workers, recreating topics a restarted broker lost."""

from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from jisik.events import DocumentEvent, Topic
from jisik.kafka import ensure_topics, publish
from jisik.settings import Settings

__all__ = ["DOCUMENT_TOPICS", "publish_event"]

logger = logging.getLogger(__name__)

DOCUMENT_TOPICS = [topic.value for topic in Topic if topic.value.startswith("documents.")]
_TRIES = 8
# A broker that just restarted refuses produce requests for a few seconds (UnknownError from Tansu):
# waiting it out keeps the document moving instead of leaving it to the staleness re-drive.
_LONGEST_PAUSE_S = 5.0


async def publish_event(
    producer: AIOKafkaProducer, event: DocumentEvent, settings: Settings, bootstrap_servers: str | None = None
) -> bool:
    """Send with retries for about half a minute; False when the broker stays unreachable (the
    re-driver resends later)."""
    for attempt in range(1, _TRIES + 1):
        try:
            await publish(producer, event.topic.value, key=event.key, value=event)
            return True
        except KafkaError as exc:
            logger.warning("publishing %s for %s failed (try %d/%d): %s", event.topic.value, event.knowledge_id,
                           attempt, _TRIES, type(exc).__name__)
            await asyncio.sleep(min(attempt, _LONGEST_PAUSE_S))
            try:
                await ensure_topics(settings.kafka, DOCUMENT_TOPICS, bootstrap_servers=bootstrap_servers)
            except KafkaError:
                continue
    return False
