"""Fair scheduling of a stage's work across tenants.

Consumed records wait in one queue per tenant; free slots go to the tenants in turn (round-robin),
and no tenant runs more than ``slots_per_tenant`` documents at once, so one tenant's long or stuck
documents always leave a slot for everyone else.

The buffer is bounded. When it is full, the newest record of the tenant with the most waiting is
shed: its offset is released and the document stays in its status in the database, where the
re-driver finds it and publishes it again later; nothing is lost, only that tenant is slowed. The
consumer is not paused instead because then a flood from one tenant would hide every other tenant's
records behind it in the partition.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from typing import Generic, TypeVar

__all__ = ["FairQueue"]

Item = TypeVar("Item")


class FairQueue(Generic[Item]):
    def __init__(self, *, slots_per_tenant: int, capacity: int) -> None:
        if slots_per_tenant < 1 or capacity < 1:
            raise ValueError("slots_per_tenant and capacity must be at least 1")
        self.slots_per_tenant = slots_per_tenant
        self.capacity = capacity
        self._waiting: OrderedDict[str, deque[Item]] = OrderedDict()  # rotation order: next turn first
        self._running: dict[str, int] = {}
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def running(self, tenant: str) -> int:
        return self._running.get(tenant, 0)

    def waiting(self, tenant: str) -> int:
        return len(self._waiting.get(tenant, ()))

    def add(self, tenant: str, item: Item) -> Item | None:
        """Queue ``item``; when the buffer is full, the shed item (possibly ``item`` itself), else None."""
        if self._size >= self.capacity:
            heaviest = max(self._waiting, key=lambda name: len(self._waiting[name]))
            if self.waiting(tenant) + 1 >= len(self._waiting[heaviest]):
                return item
            shed = self._waiting[heaviest].pop()
            self._size -= 1
            if not self._waiting[heaviest]:
                del self._waiting[heaviest]
            self._push(tenant, item)
            return shed
        self._push(tenant, item)
        return None

    def _push(self, tenant: str, item: Item) -> None:
        self._waiting.setdefault(tenant, deque()).append(item)
        self._size += 1

    def next(self) -> tuple[str, Item] | None:
        """Start the oldest item of the next tenant in turn that is under its slot limit (None if none is)."""
        for tenant in self._waiting:
            if self.running(tenant) < self.slots_per_tenant:
                break
        else:
            return None
        queue = self._waiting.pop(tenant)
        item = queue.popleft()
        if queue:
            self._waiting[tenant] = queue  # back of the rotation
        self._size -= 1
        self._running[tenant] = self.running(tenant) + 1
        return tenant, item

    def finished(self, tenant: str) -> None:
        """A started item of ``tenant`` is done: its slot is free again."""
        left = self.running(tenant) - 1
        if left > 0:
            self._running[tenant] = left
        else:
            self._running.pop(tenant, None)
