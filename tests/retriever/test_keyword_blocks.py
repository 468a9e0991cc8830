"""Packed postings stay equal to the per-posting rows through every write, and numpy scoring is exact."""

from __future__ import annotations

import importlib
import random

import numpy as np
import pytest
from alembic import command
from retriever_testkit import chunk, new_tenant
from test_bm25 import assert_equal_to_rank_bm25, corpus

from jisik.db.migrate import alembic_config, upgrade
from jisik.runtime.postgres import EmbeddedPostgres
from jisik.settings import RetrieverSettings
from retriever import blocks, keyword
from retriever.bm25 import BM25Params, CorpusStats, term_score
from retriever.db import create_pool
from retriever.index import Selector
from retriever.keyword import Scores, score_postings
from retriever.service import RetrieverService

MIGRATION = importlib.import_module("jisik.db.migrations.versions.0004_keyword_blocks")


async def assert_blocks_match_postings(pool: object, tenant_id: str, block_size: int) -> None:
    """Every posting is in exactly one block; blocks are full-width records ascending by ref, at most
    ``block_size`` long, keyed by a lower bound of their refs that stays below the next block's."""
    async with pool.acquire() as connection:  # type: ignore[attr-defined]  # pool is an asyncpg pool, passed as object (asyncpg is untyped)
        postings = sorted(
            tuple(row) for row in await connection.fetch(
                "SELECT term, chunk_ref, tf, doc_len FROM retriever_postings WHERE tenant_id = $1", tenant_id
            )
        )
        rows = await connection.fetch(
            "SELECT term, first_ref, size, data FROM retriever_blocks WHERE tenant_id = $1 ORDER BY term, first_ref",
            tenant_id,
        )
    packed = []
    last: dict[str, int] = {}
    for row in rows:
        records = np.frombuffer(row["data"], dtype=blocks.POSTING)
        assert 0 < len(records) == row["size"] <= block_size
        refs = records["ref"].tolist()
        assert refs == sorted(refs) and refs[0] >= row["first_ref"]
        assert last.get(row["term"], -1) < row["first_ref"]
        last[row["term"]] = refs[-1]
        packed += [(row["term"], int(r["ref"]), int(r["tf"]), int(r["len"])) for r in records]
    assert sorted(packed) == postings


@pytest.mark.unit
class TestScorePostings:
    def block(self, records: list[tuple[int, int, int]]) -> bytes:
        return np.array(records, dtype=blocks.POSTING).tobytes()

    def test_sums_weighted_term_scores_per_chunk(self) -> None:
        stats, params = CorpusStats(10, 100, 1), BM25Params()
        scores = score_postings(
            [(2.0, self.block([(7, 1, 10), (9, 3, 5)])), (0.5, self.block([(9, 1, 5)]))], stats, params, 0.0
        )
        assert scores.refs.tolist() == [7, 9]
        assert scores.values.tolist() == pytest.approx([
            2.0 * term_score(1, 10, 10.0, params),
            2.0 * term_score(3, 5, 10.0, params) + 0.5 * term_score(1, 5, 10.0, params),
        ], rel=1e-12)

    def test_dense_and_sparse_sums_agree_and_threshold_applies(self, monkeypatch: pytest.MonkeyPatch) -> None:
        rng = random.Random(5)
        data = [
            (rng.uniform(-1, 3), self.block(sorted({(rng.randrange(10**5), rng.randint(1, 4), rng.randint(1, 50))
                                                     for _ in range(200)})))
            for _ in range(4)
        ]
        stats, params = CorpusStats(1000, 20_000, 1), BM25Params()
        wide = score_postings(data, stats, params, -1e9)  # 800 postings over 1e5 refs: summed by sorting
        monkeypatch.setattr(keyword, "DENSE_MIN_SPAN", 1 << 20)
        dense = score_postings(data, stats, params, -1e9)
        assert wide.refs.tolist() == dense.refs.tolist()
        assert wide.values == pytest.approx(dense.values, rel=1e-12)
        cut = score_postings(data, stats, params, 0.5)
        assert cut.refs.tolist() == wide.refs[wide.values >= 0.5].tolist()

    def test_best_orders_by_score_then_ref_and_keeps_ties_of_the_last(self) -> None:
        scores = Scores(np.array([5, 3, 9, 1, 7]), np.array([1.0, 2.0, 2.0, 0.5, 2.0]))
        refs, values = scores.best(2)
        assert refs.tolist() == [3, 7, 9] and values.tolist() == [2.0, 2.0, 2.0]
        assert scores.best(10)[0].tolist() == [3, 7, 9, 5, 1]
        assert scores.best(4)[0].tolist() == scores.best(10)[0].tolist()[:4]


@pytest.mark.integration
class TestBlocks:
    async def test_blocks_follow_inserts_upserts_replacements_and_deletes(
        self, service: RetrieverService, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(blocks, "BLOCK_SIZE", 3)  # many blocks per term, partial tails merged on insert
        tenant = new_tenant()
        documents = corpus(21, 30)
        for start in range(0, 30, 7):  # small batches: every frequent term's tail fills up across calls
            batch = sorted(documents.items())[start:start + 7]
            await service.index_chunks(tenant, [chunk(cid, text, knowledge=f"k{i % 3}") for i, (cid, text) in
                                                enumerate(batch, start)])
        await assert_blocks_match_postings(service._pool, tenant, 3)
        rewritten = dict(list(corpus(22, 30).items())[:8])
        renamed = {f"d21-{i:03d}": text for i, text in enumerate(rewritten.values())}
        await service.index_chunks(tenant, [chunk(cid, text, knowledge=f"k{i % 3}") for i, (cid, text) in
                                            enumerate(sorted(renamed.items()))])
        documents.update(renamed)
        await assert_blocks_match_postings(service._pool, tenant, 3)
        kept = {cid: documents[cid] for cid in sorted(documents)[20:]}
        await service.index_chunks(
            tenant, [chunk(cid, text, knowledge="k1") for cid, text in kept.items()], replace_knowledge_id="k1"
        )
        assert await service.delete(tenant, Selector(knowledge_ids=("k0",))) > 0
        assert await service.delete(tenant, Selector(chunk_ids=(sorted(kept)[0],))) == 1
        await assert_blocks_match_postings(service._pool, tenant, 3)
        async with service._pool.acquire() as connection:
            remaining = {
                row["chunk_id"]: documents[row["chunk_id"]]
                for row in await connection.fetch("SELECT chunk_id FROM retriever_chunks WHERE tenant_id = $1", tenant)
            }
        await assert_equal_to_rank_bm25(service, tenant, remaining)

    async def test_migration_packs_existing_postings(self, postgres: EmbeddedPostgres) -> None:
        url = postgres.create_database(f"blocks_{new_tenant().replace('-', '_')}")
        upgrade(url)
        pool = await create_pool(url, size=2)
        try:
            service = RetrieverService(pool, RetrieverSettings())
            tenants = [new_tenant(), new_tenant()]
            for seed, tenant in enumerate(tenants):
                await service.index_chunks(tenant, [chunk(cid, text) for cid, text in corpus(seed, 25).items()])
            command.downgrade(alembic_config(url), MIGRATION.down_revision)
            upgrade(url)
            for seed, tenant in enumerate(tenants):
                await assert_blocks_match_postings(pool, tenant, MIGRATION.BLOCK_SIZE)
                await assert_equal_to_rank_bm25(service, tenant, corpus(seed, 25))
        finally:
            await pool.close()
