"""FairQueue: round-robin across tenants, a slot limit per tenant, and shedding when the buffer is full."""

from __future__ import annotations

import pytest

from ingest.fairness import FairQueue


def drain(queue: FairQueue[str]) -> list[str]:
    started = []
    while (picked := queue.next()) is not None:
        tenant, item = picked
        started.append(item)
        queue.finished(tenant)
    return started


class TestFairQueue:
    def test_tenants_take_turns_whatever_order_their_records_came_in(self) -> None:
        queue: FairQueue[str] = FairQueue(slots_per_tenant=5, capacity=100)
        for number in range(4):
            queue.add("a", f"a{number}")
        queue.add("b", "b0")
        queue.add("c", "c0")
        queue.add("b", "b1")
        assert drain(queue) == ["a0", "b0", "c0", "a1", "b1", "a2", "a3"]
        assert len(queue) == 0

    def test_a_tenant_at_its_slot_limit_waits_while_others_start(self) -> None:
        queue: FairQueue[str] = FairQueue(slots_per_tenant=1, capacity=100)
        for item in ("a0", "a1", "a2"):
            queue.add("a", item)
        assert queue.next() == ("a", "a0")
        assert queue.next() is None  # a holds its one slot; nobody else waits
        queue.add("b", "b0")
        assert queue.next() == ("b", "b0")
        assert queue.running("a") == 1 and queue.running("b") == 1
        queue.finished("a")
        assert queue.next() == ("a", "a1")
        assert queue.waiting("a") == 1 and len(queue) == 1

    def test_a_full_buffer_sheds_the_newest_record_of_the_tenant_with_most_waiting(self) -> None:
        queue: FairQueue[str] = FairQueue(slots_per_tenant=1, capacity=4)
        for item in ("a0", "a1", "a2"):
            assert queue.add("a", item) is None
        assert queue.add("b", "b0") is None
        assert queue.add("b", "b1") == "a2"  # room for b, taken from the heaviest tenant
        assert queue.add("a", "a3") == "a3"  # a would be heaviest again: its own newest record goes
        assert queue.add("c", "c0") == "a1"
        assert len(queue) == 4
        assert drain(queue) == ["a0", "b0", "c0", "b1"]

    def test_limits_must_be_positive(self) -> None:
        with pytest.raises(ValueError):
            FairQueue(slots_per_tenant=0, capacity=10)
