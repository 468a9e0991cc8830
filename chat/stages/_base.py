"""The shape every batch stage has."""

from __future__ import annotations

from typing import Protocol

from ..context import ChatContext


class Stage(Protocol):
    """Reads the context fields of earlier stages and fills its own.

    ``run`` returns None when it did its work, or the reason it was skipped.
    """

    name: str

    async def run(self, ctx: ChatContext) -> str | None: ...
