"""Who makes a request: the actor every write is attributed to and every permission check reads.

The gateway resolves the actor when it authenticates a request and sets it for the request's
context; code further down (the audit context of a transaction, permission filters) reads it with
:func:`current_actor` instead of passing it through every call.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Literal

from jisik.accounts.roles import Role, Scope

__all__ = ["Actor", "ActorKind", "acting_as", "current_actor", "set_current_actor"]

ActorKind = Literal["key", "user", "service"]


@dataclass(frozen=True, slots=True)
class Actor:
    """``kind`` says what authenticated (an API key, a signed-in user, an internal service);
    ``id`` names it without revealing a secret (a key's prefix, a user id, a service name).

    ``role`` and ``scopes`` are what it may do (see :mod:`jisik.accounts.roles`); ``user_id`` is the
    person or service account behind a key or session (None for a tenant's bootstrap key and internal
    services); ``principals`` are the access-list entries it matches (``user:<id>``, ``group:<name>``).
    """

    kind: ActorKind
    id: str
    tenant_id: str
    role: Role | None = None
    scopes: frozenset[Scope] = field(default_factory=frozenset)
    user_id: str | None = None
    principals: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``kind:id``, the form the audit trail stores and filters on."""
        return f"{self.kind}:{self.id}"

    def may(self, scope: Scope) -> bool:
        return scope in self.scopes


_current: ContextVar[Actor | None] = ContextVar("jisik_actor", default=None)


def current_actor() -> Actor | None:
    """The actor of the work in progress (None outside an authenticated request)."""
    return _current.get()


def set_current_actor(actor: Actor) -> None:
    """Make ``actor`` current for the rest of this context (the request's task)."""
    _current.set(actor)


@contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    """Run a block as ``actor`` (workers and CLI commands that write on someone's behalf)."""
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)
