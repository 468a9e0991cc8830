"""End to end on the embedded stack: upload real files, wait for indexing, ask, and check that the
cited passage holds the answer (the default extractive backend makes answers deterministic)."""

from __future__ import annotations

import asyncio
import io
import time
from typing import Any

import httpx
import pymupdf
import pytest
from PIL import Image, ImageDraw, ImageFont
from sse_testkit import ask, check_contract

pytestmark = [pytest.mark.integration, pytest.mark.slow]

API = "/api/v1"
KOREAN = (
    "# 방문 안내\n\n"
    "방문객 출입증은 본관 1층 안내 데스크에서 발급합니다. 신분증을 지참해 주십시오.\n\n"
    "주차는 지하 2층 방문객 구역을 이용하시면 됩니다. 주차 시간은 최대 세 시간입니다.\n"
)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "DejaVuSans.ttf"):
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def _scanned_page_png() -> bytes:
    image = Image.new("L", (2000, 500), 255)
    draw = ImageDraw.Draw(image)
    lines = ["Safety notice", "The emergency assembly point is the north parking lot."]
    for row, line in enumerate(lines):
        draw.text((80, 80 + row * 150), line, fill=0, font=_font(52))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _handbook_pdf() -> bytes:
    """Page 1: text and a ruled table; page 2: a scanned page (an image only, no text layer)."""
    document = pymupdf.open()
    page = document.new_page()
    page.insert_text((72, 72), "Product warranty overview", fontsize=16)
    page.insert_text((72, 100), "The table lists the warranty period of every product code.", fontsize=11)
    rows = [("Product code", "Warranty"), ("ZX41", "36 months"), ("QP7", "18 months"), ("LM300", "60 months")]
    top, left, widths, height = 130, 72, (160, 160), 24
    for index, (code, warranty) in enumerate(rows):
        y = top + index * height
        page.insert_text((left + 6, y + 16), code, fontsize=11)
        page.insert_text((left + widths[0] + 6, y + 16), warranty, fontsize=11)
    right, bottom = left + sum(widths), top + len(rows) * height
    for index in range(len(rows) + 1):
        page.draw_line((left, top + index * height), (right, top + index * height))
    for x in (left, left + widths[0], right):
        page.draw_line((x, top), (x, bottom))
    scanned = document.new_page()
    scanned.insert_image(scanned.rect, stream=_scanned_page_png())
    return document.tobytes()


async def _upload(client: httpx.AsyncClient, base_id: str, name: str, data: bytes) -> str:
    response = await client.post(f"{API}/knowledge-bases/{base_id}/knowledge/file", files={"file": (name, data)})
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["id"])


async def _wait_indexed(client: httpx.AsyncClient, ids: list[str], timeout_s: float = 240) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout_s
    while True:
        response = await client.get(f"{API}/knowledge/batch", params={"ids": ",".join(ids)})
        documents = response.json()["data"]
        states = {doc["file_name"]: (doc["parse_status"], doc["error_message"]) for doc in documents}
        if all(doc["parse_status"] in ("completed", "failed") for doc in documents):
            assert all(status == "completed" for status, _ in states.values()), states
            return list(documents)
        assert time.monotonic() < deadline, f"not indexed in time: {states}"
        await asyncio.sleep(1.0)


def _cited(references: list[dict[str, Any]], final: dict[str, Any]) -> list[dict[str, Any]]:
    return [references[number - 1] for number in final["cited"]]


@pytest.fixture(scope="module")
async def indexed(embedded_stack: Any) -> dict[str, Any]:
    headers = {"X-API-Key": embedded_stack.api_key}
    async with httpx.AsyncClient(base_url=embedded_stack.gateway_url, headers=headers, timeout=60) as client:
        base = (await client.post(f"{API}/knowledge-bases", json={"name": "e2e handbook"})).json()["data"]
        ids = [
            await _upload(client, base["id"], "handbook.pdf", _handbook_pdf()),
            await _upload(client, base["id"], "방문안내.md", KOREAN.encode()),
        ]
        documents = await _wait_indexed(client, ids)
        session = (await client.post(f"{API}/sessions", json={"knowledge_base_id": base["id"]})).json()["data"]
    return {"base": base, "documents": documents, "session": session, "headers": headers}


class TestEndToEnd:
    async def _ask(self, stack: Any, indexed: dict[str, Any], query: str) -> tuple[list[dict[str, Any]], str, dict[str, Any]]:
        async with httpx.AsyncClient(base_url=stack.gateway_url, headers=indexed["headers"], timeout=120) as client:
            stream = await ask(client, indexed["session"]["id"], query)
        return check_contract(stream)

    async def test_answer_from_a_table(self, embedded_stack: Any, indexed: dict[str, Any]) -> None:
        references, answer, final = await self._ask(embedded_stack, indexed, "What is the warranty of product QP7?")
        assert "18" in answer
        cited = _cited(references, final)
        assert any("QP7" in ref["content"] and "18 months" in ref["content"] for ref in cited), (answer, cited)

    async def test_answer_from_a_scanned_page(self, embedded_stack: Any, indexed: dict[str, Any]) -> None:
        references, answer, final = await self._ask(embedded_stack, indexed, "Where is the emergency assembly point?")
        assert "parking" in answer.lower()
        assert any("north parking lot" in ref["content"].lower() for ref in _cited(references, final))

    async def test_answer_from_korean_text(self, embedded_stack: Any, indexed: dict[str, Any]) -> None:
        references, answer, final = await self._ask(embedded_stack, indexed, "방문객 출입증은 어디에서 발급하나요?")
        assert "안내 데스크" in answer
        assert any("안내 데스크" in ref["content"] for ref in _cited(references, final))

    async def test_turn_is_stored_with_references_and_stage_timings(
        self, embedded_stack: Any, indexed: dict[str, Any]
    ) -> None:
        await self._ask(embedded_stack, indexed, "How long is the warranty of LM300?")
        session_id = indexed["session"]["id"]
        async with httpx.AsyncClient(base_url=embedded_stack.gateway_url, headers=indexed["headers"]) as client:
            messages = (await client.get(f"{API}/messages/{session_id}/load", params={"limit": 2})).json()["data"]
        user, assistant = messages
        assert (user["role"], assistant["role"]) == ("user", "assistant")
        assert assistant["status"] == "complete" and assistant["is_completed"]
        assert "60" in assistant["content"]
        assert [t["name"] for t in assistant["stage_timings"]] == [
            "rewrite_query", "preprocess_query", "chunk_search", "chunk_rerank", "chunk_merge", "filter_top_k",
            "into_chat_message", "chat_completion_stream", "stream_filter", "citation_check",
        ]
        assert any(ref["cited"] for ref in assistant["knowledge_references"])
