"""Consumer lag per ingest stage: records on the stage's topic that its group has not committed yet."""

from __future__ import annotations

from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from jisik.errors import Unavailable
from jisik.settings import Settings

from .topology import STAGES

__all__ = ["PartitionOffsets", "consumer_lag", "partition_offsets"]


@dataclass(frozen=True)
class PartitionOffsets:
    """Where one consumer group stands on one partition of the topic its stage consumes."""

    stage: str
    group: str
    partition: int
    end: int  # the offset the next record will get
    committed: int  # the first offset the group has not finished (the log start when it never committed)

    @property
    def lag(self) -> int:
        return max(0, self.end - self.committed)


def _servers(settings: Settings) -> str:
    return settings.kafka.bootstrap_servers or f"127.0.0.1:{settings.kafka.embedded_port}"


async def partition_offsets(settings: Settings) -> list[PartitionOffsets]:
    """End and committed offsets of every ingest stage's group on every partition of its topic; a topic
    that does not exist yet has none.

    :raises Unavailable: the broker cannot be reached.
    """
    servers = _servers(settings)
    admin = AIOKafkaAdminClient(bootstrap_servers=servers, client_id=f"{settings.kafka.client_id}-lag")
    probe = AIOKafkaConsumer(bootstrap_servers=servers, client_id=f"{settings.kafka.client_id}-lag",
                             enable_auto_commit=False)
    try:
        await admin.start()
        await probe.start()
        topics = set(await probe.topics())
        found: list[PartitionOffsets] = []
        for stage in STAGES:
            partitions = probe.partitions_for_topic(stage.consumes) if stage.consumes in topics else None
            if not partitions:
                continue
            assigned = [TopicPartition(stage.consumes, p) for p in sorted(partitions)]
            ends = await probe.end_offsets(assigned)
            starts = await probe.beginning_offsets(assigned)
            committed = await admin.list_consumer_group_offsets(stage.group_id, partitions=assigned)
            for tp in assigned:
                meta = committed.get(tp)
                done = meta.offset if meta is not None and meta.offset >= 0 else starts[tp]
                found.append(PartitionOffsets(stage.name, stage.group_id, tp.partition, ends[tp], done))
        return found
    except (KafkaError, OSError) as exc:
        raise Unavailable("the Kafka broker is unavailable") from exc
    finally:
        await probe.stop()
        await admin.close()


async def consumer_lag(settings: Settings) -> dict[str, int]:
    """``{stage name: lag}``; a topic that does not exist yet has lag 0.

    :raises Unavailable: the broker cannot be reached.
    """
    lag = {stage.name: 0 for stage in STAGES}
    for offsets in await partition_offsets(settings):
        lag[offsets.stage] += offsets.lag
    return lag
