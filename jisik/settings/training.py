"""Training, registry and rollout of each tenant's own models (ml/training)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ._base import JisikSettings


class TrainingSettings(JisikSettings):
    config_table = "training"
    model_config = SettingsConfigDict(env_prefix="JISIK_TRAINING_", extra="ignore", frozen=True)

    held_out_share: float = Field(
        0.2, gt=0, lt=1, description="Share of a snapshot's questions kept out of training to evaluate on"
    )
    min_pairs: int = Field(8, ge=4, description="Fewest question-passage pairs a training job accepts")
    max_pairs: int = Field(50_000, ge=10, description="Most pairs one snapshot takes (newest feedback first)")
    max_upload_bytes: int = Field(20 * 1024**2, ge=1024, description="Largest labelled JSONL upload")
    adapter_epochs: int = Field(8, ge=1, description="Most passes of the query adapter's map over the pairs (it stops early)")
    retrieval_trainer: Literal["auto", "adapter", "transformer", "cross_encoder"] = Field(
        "auto",
        description="What a retrieval job trains: adapter (query adapter + feature reranker, CPU minutes), "
        "transformer (sentence-transformers fine-tuning), cross_encoder (a cross-encoder reranker), "
        "auto = transformer when a CUDA GPU is present (a cross_encoder job kind picks the cross-encoder)",
    )
    transformer_budget_s: float = Field(
        900.0, gt=0,
        description="Time budget of a transformer or cross-encoder fine-tuning; it stops and saves at the budget",
    )
    transformer_method: Literal["full", "lora"] = Field(
        "full",
        description="How a transformer fine-tuning trains: full (every weight) or lora (low-rank adapters with "
        "peft, merged into the weights of the saved model)",
    )
    transformer_lora_rank: int = Field(8, ge=1, le=256, description="Rank of the LoRA adapters (lora method)")
    transformer_base: str = Field(
        "", description="Directory of the sentence-transformers model to fine-tune (empty = packaged all-MiniLM-L6-v2)"
    )
    cross_encoder_base: str = Field(
        "", description="Directory of the model a cross-encoder reranker is fine-tuned from (a CrossEncoder, or a "
        "sentence-transformers model that gets a new scoring head; empty = packaged all-MiniLM-L6-v2)",
    )
    cross_encoder_max_held_out: int = Field(
        300, ge=1, description="Most held-out questions a cross-encoder and its champion are measured on "
        "(each reranks 10 passages per question; slow on a CPU)",
    )
    cross_encoder_epochs: int = Field(
        1, ge=1, description="Most passes of a cross-encoder fine-tuning over the questions (the budget may stop it first)"
    )
    tagger_min_documents: int = Field(
        4, ge=1, description="Fewest reviewed documents (after the held-out split) a field-tagger job trains on"
    )
    tagger_max_documents: int = Field(
        5000, ge=1, description="Most reviewed documents one field-tagger snapshot takes (newest reviews first)"
    )
    tagger_iterations: int = Field(150, ge=10, description="L-BFGS iterations of the field tagger's CRF training")
    max_attempts: int = Field(
        2, ge=1, description="Times a job is started; a job whose trainer died this often is marked failed"
    )
    heartbeat_s: float = Field(2.0, gt=0, description="Seconds between a running job's heartbeats")
    stale_after_s: float = Field(
        20.0, gt=0, description="A running job without a heartbeat this long lost its trainer and is resumed"
    )
    poll_s: float = Field(5.0, gt=0, description="Seconds between the trainer's scans for queued or stale jobs")
    serving_refresh_s: float = Field(
        1.0, gt=0, description="Seconds the gateway caches a tenant's serving versions and rollout"
    )
    canary_steps: str = Field("10,50,100", description="Rollout percentages a promote steps through, in order")
    rollback_window_s: float = Field(300.0, gt=0, description="Window of online signals judged for rollback")
    rollback_breach_s: float = Field(
        60.0, ge=0, description="Seconds a challenger must breach a threshold before it is rolled back"
    )
    rollback_min_answers: int = Field(20, ge=1, description="Answers each version needs in the window to be judged")
    max_no_answer_increase: float = Field(
        0.15, ge=0, description="Challenger no-answer rate above the champion's by more than this is a breach"
    )
    max_latency_ratio: float = Field(
        1.5, ge=1, description="Challenger latency p95 above the champion's times this is a breach"
    )
    max_thumbs_down_increase: float = Field(
        0.2, ge=0, description="Challenger citation thumbs-down share above the champion's by more than this is a breach"
    )
