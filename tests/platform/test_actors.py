"""The current actor is scoped to its context: a block acting as someone restores the outer actor."""

from __future__ import annotations

import asyncio

from jisik.actors import Actor, acting_as, current_actor, set_current_actor


def test_acting_as_restores_the_outer_actor() -> None:
    outer, inner = Actor("key", "sk-abc", "t1"), Actor("service", "ingest", "t1")
    assert current_actor() is None
    with acting_as(outer):
        with acting_as(inner) as active:
            assert current_actor() == active == inner
        assert current_actor() == outer
    assert current_actor() is None
    assert inner.label == "service:ingest"


def test_an_actor_set_in_one_task_does_not_leak_into_another() -> None:
    async def request(actor: Actor) -> Actor | None:
        set_current_actor(actor)
        await asyncio.sleep(0)
        return current_actor()

    async def both() -> list[Actor | None]:
        return list(await asyncio.gather(request(Actor("user", "u1", "t1")), request(Actor("user", "u2", "t2"))))

    assert [a.id if a else None for a in asyncio.run(both())] == ["u1", "u2"]
    assert current_actor() is None
