"""Reading the chat's SSE stream in tests, and checking its contract."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx

CITATION = re.compile(r"\[(\d+)\]")


async def events(response: httpx.Response) -> AsyncIterator[dict[str, Any]]:
    """Each ``event: message`` data object of an SSE response, in order."""
    name, data = "", []
    async for line in response.aiter_lines():
        if line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())
        elif not line and data:
            assert name == "message"
            yield json.loads("\n".join(data))
            name, data = "", []


async def ask(client: httpx.AsyncClient, session_id: str, query: str) -> list[dict[str, Any]]:
    async with client.stream("POST", f"/api/v1/knowledge-chat/{session_id}", json={"query": query}) as response:
        assert response.status_code == 200, (await response.aread()).decode()
        assert response.headers["content-type"].startswith("text/event-stream")
        return [event async for event in events(response)]


def check_contract(stream: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str, dict[str, Any]]:
    """One references event before any answer text, answer deltas, done last; citations point at
    sent references and the references marked cited are exactly the cited ones.

    :returns: the references, the answer text and the final event.
    """
    kinds = [event["response_type"] for event in stream]
    assert kinds[0] == "references", kinds
    assert kinds.count("references") == 1
    assert stream[-1]["done"] is True and sum(event["done"] for event in stream) == 1
    references = stream[0]["knowledge_references"]
    answer = "".join(event["content"] for event in stream if event["response_type"] == "answer")
    cited = {int(number) for number in CITATION.findall(answer)}
    assert cited <= set(range(1, len(references) + 1)), (cited, len(references))
    assert set(stream[-1]["cited"]) == cited
    return references, answer, stream[-1]
