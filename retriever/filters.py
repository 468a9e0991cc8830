"""The filters every channel applies inside its query, and the ranking both channels share.

Tenant always; knowledge bases, knowledges and ACL principals when given (a chunk without principals
is visible to everyone in the tenant; ``all_documents`` skips the ACL); disabled knowledges never.
Applying them inside the query (not to a fetched top-k) is what keeps a selective filter's top-k full.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from .types import ChannelHit, Filters

__all__ = ["filter_sql", "ranked"]


def filter_sql(filters: Filters, params: list[object], alias: str = "c") -> str:
    """A WHERE clause over ``alias`` for ``filters``; appends its parameters to ``params``."""

    def bind(value: object) -> str:
        params.append(value)
        return f"${len(params)}"

    clauses = [f"{alias}.tenant_id = {bind(filters.tenant_id)}", f"{alias}.enabled"]
    # "= '{}'" rather than cardinality(): the planner has statistics for it and so picks the HNSW index.
    if filters.all_documents:
        pass
    elif filters.principals:
        clauses.append(
            f"({alias}.acl_principals = '{{}}' OR {alias}.acl_principals && {bind(list(filters.principals))}::text[])"
        )
    else:
        clauses.append(f"{alias}.acl_principals = '{{}}'")
    if filters.knowledge_base_ids:
        clauses.append(f"{alias}.knowledge_base_id = ANY({bind(list(filters.knowledge_base_ids))}::text[])")
    if filters.knowledge_ids:
        clauses.append(f"{alias}.knowledge_id = ANY({bind(list(filters.knowledge_ids))}::text[])")
    return " AND ".join(clauses)


def ranked(rows: Sequence[asyncpg.Record], *, descending: bool) -> list[ChannelHit]:
    """Order by score (ties by chunk id) and number the ranks from 1."""
    sign = -1.0 if descending else 1.0
    ordered = sorted(rows, key=lambda row: (sign * row["score"], row["chunk_id"]))
    return [ChannelHit(row["id"], row["chunk_id"], float(row["score"]), rank) for rank, row in enumerate(ordered, 1)]
