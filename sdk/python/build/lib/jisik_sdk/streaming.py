"""The gateway's server-sent events as an iterator of typed chat events."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["ChatEvent", "sse_data"]


class ChatEvent(BaseModel):
    """One event of an answer: ``references`` first, then ``answer`` (and ``thinking``) deltas, and a
    final event with ``done=True`` carrying the outcome (``status``, ``cited`` reference numbers)."""

    model_config = ConfigDict(extra="allow")

    id: str = ""
    response_type: str = ""
    content: str = ""
    done: bool = False
    knowledge_references: list[dict[str, Any]] | None = None
    session_id: str | None = None
    assistant_message_id: str | None = None
    status: str | None = None
    cited: list[int] | None = None


def sse_data(lines: Iterable[str]) -> Iterator[str]:
    """The data of each ``message`` event of a text/event-stream body, given line by line."""
    event, data = "", list[str]()
    for line in lines:
        if line == "":
            if data and event in ("", "message"):
                yield "\n".join(data)
            event, data = "", list[str]()
        elif line.startswith(":"):
            continue
        else:
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "event":
                event = value
            elif name == "data":
                data.append(value)
    if data and event in ("", "message"):
        yield "\n".join(data)
