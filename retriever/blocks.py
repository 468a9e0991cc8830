"""Packed postings: a term's postings in one tenant, as blocks of fixed-width records ascending by chunk ref.

The keyword channel reads whole postings lists, and one row per posting makes a frequent term (in half
of all chunks) cost PostgreSQL a row per chunk. Here a list is a few ``bytea`` rows that numpy decodes
without a per-posting step. ``retriever_postings`` stays the per-posting truth (deletes and document
frequencies use it); every write updates both in the same transaction.

Chunk refs come from one sequence and a tenant's writers run one after another, so new postings always
sort after a term's existing ones: inserts only touch the last block. A record is big-endian
(ref int64, tf int32, chunk length int32), the layout ``int8send``/``int4send`` produce in SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import asyncpg
import numpy as np

__all__ = ["BLOCK_SIZE", "POSTING", "append", "remove"]

POSTING = np.dtype([("ref", ">i8"), ("tf", ">i4"), ("len", ">i4")])
BLOCK_SIZE = 1024
_COLUMNS = ("tenant_id", "term", "first_ref", "size", "data")
_Row = tuple[str, str, int, int, bytes]


def _pack(records: np.ndarray) -> bytes:
    # numpy may hand back native byte order (np.concatenate does), so convert before writing.
    return records.astype(POSTING, copy=False).tobytes()


def _blocks(tenant_id: str, term: str, records: np.ndarray) -> Iterable[_Row]:
    for start in range(0, len(records), BLOCK_SIZE):
        block = records[start:start + BLOCK_SIZE]
        yield tenant_id, term, int(block["ref"][0]), len(block), _pack(block)


async def _replace(connection: asyncpg.Connection, tenant_id: str, old: Sequence[tuple[str, int]], new: list[_Row]) -> None:
    """Delete blocks by (term, first_ref) and write ``new`` ones."""
    if old:
        await connection.execute(
            """
            DELETE FROM retriever_blocks b USING unnest($2::text[], $3::bigint[]) AS o(term, first_ref)
            WHERE b.tenant_id = $1 AND b.term = o.term AND b.first_ref = o.first_ref
            """,
            tenant_id, [term for term, _ in old], [first for _, first in old],
        )
    if new:
        await connection.copy_records_to_table("retriever_blocks", records=new, columns=_COLUMNS)


async def append(connection: asyncpg.Connection, tenant_id: str, postings: dict[str, list[tuple[int, int, int]]]) -> None:
    """Add new postings (term -> [(ref, tf, length)], refs above every stored ref of the tenant)."""
    terms = sorted(postings)
    tails = await connection.fetch(
        """
        SELECT t.term, b.first_ref, b.data
        FROM unnest($2::text[]) AS t(term)
        CROSS JOIN LATERAL (
            SELECT first_ref, size, data FROM retriever_blocks
            WHERE tenant_id = $1 AND term = t.term ORDER BY first_ref DESC LIMIT 1
        ) b
        WHERE b.size < $3
        """,
        tenant_id, terms, BLOCK_SIZE,
    )
    tail = {row["term"]: np.frombuffer(row["data"], dtype=POSTING) for row in tails}
    new: list[_Row] = []
    for term in terms:
        records = np.array(sorted(postings[term]), dtype=POSTING)
        if term in tail:
            records = np.concatenate([tail[term], records])
        new.extend(_blocks(tenant_id, term, records))
    await _replace(connection, tenant_id, [(row["term"], row["first_ref"]) for row in tails], new)


async def remove(connection: asyncpg.Connection, tenant_id: str, refs: Sequence[int]) -> None:
    """Take the postings of chunks ``refs`` out of their blocks (call before their postings rows go)."""
    rows = await connection.fetch(
        """
        SELECT b.term, b.first_ref, b.data FROM retriever_blocks b
        JOIN (
            SELECT DISTINCT p.term, (
                SELECT max(x.first_ref) FROM retriever_blocks x
                WHERE x.tenant_id = $1 AND x.term = p.term AND x.first_ref <= p.chunk_ref
            ) AS first_ref
            FROM retriever_postings p WHERE p.tenant_id = $1 AND p.chunk_ref = ANY($2::bigint[])
        ) hit ON b.term = hit.term AND b.first_ref = hit.first_ref
        WHERE b.tenant_id = $1
        """,
        tenant_id, list(refs),
    )
    gone = np.asarray(refs, dtype=np.int64)
    new: list[_Row] = []
    for row in rows:
        records = np.frombuffer(row["data"], dtype=POSTING)
        kept = records[~np.isin(records["ref"], gone)]
        if len(kept):
            # The block keeps its key: first_ref stays a lower bound of its refs and below the next block's.
            new.append((tenant_id, row["term"], row["first_ref"], len(kept), _pack(kept)))
    await _replace(connection, tenant_id, [(row["term"], row["first_ref"]) for row in rows], new)
