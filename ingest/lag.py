"""Consumer lag per ingest stage: records on the stage's topic that its group has not committed yet."""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from jisik.errors import Unavailable
from jisik.settings import Settings

from .topology import STAGES

__all__ = ["consumer_lag"]


async def consumer_lag(settings: Settings) -> dict[str, int]:
    """``{stage name: lag}``; a topic that does not exist yet has lag 0.

    :raises Unavailable: the broker cannot be reached.
    """
    servers = settings.kafka.brokers
    admin = AIOKafkaAdminClient(bootstrap_servers=servers, client_id=f"{settings.kafka.client_id}-lag")
    probe = AIOKafkaConsumer(bootstrap_servers=servers, client_id=f"{settings.kafka.client_id}-lag",
                             enable_auto_commit=False)
    try:
        await admin.start()
        await probe.start()
        topics = set(await probe.topics())
        lag: dict[str, int] = {}
        for stage in STAGES:
            partitions = probe.partitions_for_topic(stage.consumes) if stage.consumes in topics else None
            if not partitions:
                lag[stage.name] = 0
                continue
            assigned = [TopicPartition(stage.consumes, p) for p in sorted(partitions)]
            ends = await probe.end_offsets(assigned)
            starts = await probe.beginning_offsets(assigned)
            committed = await admin.list_consumer_group_offsets(stage.group_id, partitions=assigned)
            total = 0
            for tp in assigned:
                meta = committed.get(tp)
                done = meta.offset if meta is not None and meta.offset >= 0 else starts[tp]
                total += max(0, ends[tp] - done)
            lag[stage.name] = total
        return lag
    except (KafkaError, OSError) as exc:
        raise Unavailable("the Kafka broker is unavailable") from exc
    finally:
        await probe.stop()
        await admin.close()
