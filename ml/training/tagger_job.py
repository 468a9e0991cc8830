"""One field-tagger training job: the knowledge base's labelled blocks from reviewed documents (consent
checked, PII masked, a versioned snapshot), a held-out split by document, the CRF fit, entity F1 of the
candidate and of the current champion on the same held-out blocks, registration (a challenger when it
is at least as good as the champion and finds something)."""

from __future__ import annotations

import asyncio
import hashlib
import time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fields.store import current_schema
from fields.tagger import FieldTagger
from fields.tagger_store import tagger_aliases
from jisik.db.models import KnowledgeBase, ModelVersion
from jisik.errors import InvalidInput, NotFound
from jisik.settings import TrainingSettings

from .field_labels import DocumentReader, LabelledBlock, build_field_snapshot, decode_blocks
from .tagger import TaggerConfig, entity_scores, train_tagger
from .tagger_registry import register_tagger
from .trainer import Reporter, TrainingOutcome

__all__ = ["run_tagger_training", "split_by_document"]


def split_by_document(blocks: list[LabelledBlock], share: float) -> tuple[list[LabelledBlock], list[LabelledBlock]]:
    """(train, held out): a document's blocks all go to one side. The documents are ordered by a hash of
    their id and the first ``share`` of them (at least one, when there are two or more) are held out, so
    the split is repeatable and a small knowledge base never ends with nothing to evaluate on."""
    def order(document: str) -> str:
        return hashlib.sha256(document.encode()).hexdigest()

    documents = sorted({block.document for block in blocks}, key=order)
    count = max(1, round(len(documents) * share)) if len(documents) > 1 else 0
    held = set(documents[:count])
    return [b for b in blocks if b.document not in held], [b for b in blocks if b.document in held]


async def run_tagger_training(
    sessions: async_sessionmaker[AsyncSession], *, tenant_id: str, job_id: str, knowledge_base_id: str,
    settings: TrainingSettings, reporter: Reporter, reader: DocumentReader | None = None,
) -> TrainingOutcome:
    """:raises ConsentRequired: no training consent. :raises NotFound: no such knowledge base or schema.
    :raises InvalidInput: too few reviewed documents."""
    started = time.perf_counter()
    async with sessions() as session, session.begin():
        knowledge_base = await session.get(KnowledgeBase, knowledge_base_id)
        if knowledge_base is None or knowledge_base.tenant_id != tenant_id:
            raise NotFound(f"knowledge base {knowledge_base_id} not found", field="knowledge_base_id")
        found = await current_schema(session, tenant_id, knowledge_base_id)
        if found is None:
            raise NotFound("the knowledge base has no field schema", field="knowledge_base_id")
        schema = found[1]
        snapshot = await build_field_snapshot(session, tenant_id, knowledge_base_id, schema,
                                              max_documents=settings.tagger_max_documents, reader=reader)
        champion_id = (await tagger_aliases(session, tenant_id, knowledge_base_id)).get("champion")
        champion_row = await session.get(ModelVersion, champion_id) if champion_id else None
    await reporter.log(f"snapshot {snapshot.id[:12]}: {snapshot.counts}")
    train, held_out = split_by_document(decode_blocks(snapshot.content), settings.held_out_share)
    documents = len({block.document for block in train})
    if documents < settings.tagger_min_documents or not held_out:
        raise InvalidInput(
            f"{documents} reviewed documents to train on and {len({b.document for b in held_out})} held out; "
            f"at least {settings.tagger_min_documents} and 1 are needed (review more documents)",
            field="snapshot",
        )
    await reporter.log(f"{documents} documents ({len(train)} blocks) to train on, "
                       f"{len({b.document for b in held_out})} held out")
    await reporter.progress(0.05)
    artifact = await asyncio.to_thread(
        train_tagger, train, schema, TaggerConfig(max_iterations=settings.tagger_iterations),
        lambda share: reporter.progress_from_thread(0.05 + 0.85 * share),
    )
    training_s = time.perf_counter() - started
    candidate = await asyncio.to_thread(entity_scores, FieldTagger(artifact), held_out, schema)
    champion = await asyncio.to_thread(
        entity_scores, FieldTagger(champion_row.artifact) if champion_row is not None else None, held_out, schema)
    metrics: dict[str, Any] = {"entity": candidate, "held_out": len(held_out), "train": len(train),
                               "documents": documents}
    champion_metrics: dict[str, Any] = {"entity": champion,
                                        "name": f"v{champion_row.version}" if champion_row is not None else "none"}
    better = candidate["f1"] > 0 and candidate["f1"] >= champion["f1"]
    await reporter.log(f"held-out entity F1 {candidate['f1']:.3f} vs {champion_metrics['name']} {champion['f1']:.3f}"
                       + ("" if better else "; not better than the champion, registered without an alias"))
    await reporter.progress(0.95)  # a cancel's last chance: once registered, the version and its job stand
    async with sessions() as session, session.begin():
        version = await register_tagger(
            session, tenant_id=tenant_id, knowledge_base_id=knowledge_base_id, artifact=artifact,
            snapshot_id=snapshot.id, job_id=job_id, metrics=metrics, champion_metrics=champion_metrics,
            training_s=training_s, challenger=better,
        )
    await reporter.log(f"registered version {version.version} ({version.artifact_sha256[:12]})")
    return TrainingOutcome(version.id, snapshot.id, better)
