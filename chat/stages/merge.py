"""chunk_merge: adjacent or overlapping chunks of one document become one passage, overlap removed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from ..context import ChatContext, Passage

__all__ = ["ChunkMerge", "merge_passages"]


def _append(block: Passage, nxt: Passage) -> None:
    overlap = block.end_at - nxt.start_at
    if nxt.end_at <= block.end_at:
        pass  # fully inside the block already
    elif overlap > 0 and block.content.endswith(nxt.content[:overlap]):
        block.content += nxt.content[overlap:]
    elif overlap == 0:
        block.content += nxt.content
    else:  # offsets do not map onto the text (e.g. decorated chunks): keep both whole
        block.content += "\n" + nxt.content
    block.end_at = max(block.end_at, nxt.end_at)
    block.score = max(block.score, nxt.score)
    block.sub_chunk_ids.append(nxt.chunk_id)
    pages = sorted({*block.metadata.get("pages", []), *nxt.metadata.get("pages", [])})
    if pages:
        block.metadata["pages"] = pages


def merge_passages(passages: Sequence[Passage]) -> list[Passage]:
    """Merge by document offsets; blocks ordered by best score, then document and position."""
    by_document: dict[str, list[Passage]] = defaultdict(list)
    for passage in passages:
        by_document[passage.knowledge_id].append(passage)
    blocks: list[Passage] = []
    for group in by_document.values():
        group.sort(key=lambda passage: (passage.start_at, passage.end_at, passage.chunk_id))
        current: Passage | None = None
        for passage in group:
            if current is not None and passage.start_at <= current.end_at:
                _append(current, passage)
                continue
            current = replace(passage, sub_chunk_ids=[passage.chunk_id], metadata=dict(passage.metadata))
            blocks.append(current)
    return sorted(blocks, key=lambda block: (-block.score, block.knowledge_id, block.start_at))


class ChunkMerge:
    name = "chunk_merge"

    async def run(self, ctx: ChatContext) -> str | None:
        source = ctx.search_results if ctx.rerank_results is None else ctx.rerank_results
        ctx.merged = merge_passages(source)
        return None if source else "nothing to merge"
