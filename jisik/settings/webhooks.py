"""Webhook endpoints and the delivery worker."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ._base import JisikSettings

_DAY = 24 * 3600.0


class WebhookSettings(JisikSettings):
    config_table = "webhooks"
    model_config = SettingsConfigDict(env_prefix="JISIK_WEBHOOKS_", extra="ignore", frozen=True)

    max_endpoints_per_tenant: int = Field(50, ge=1, le=10_000, description="Endpoints one tenant may register")
    rotation_overlap_s: float = Field(
        _DAY, ge=0, description="How long the previous secret still signs after a rotation"
    )
    attempt_timeout_s: float = Field(
        10.0, gt=0, le=300, description="Whole-attempt deadline (connect, send, read the answer's first bytes)"
    )
    response_body_bytes: int = Field(
        1024, ge=0, le=65_536, description="Bytes of a receiver's answer read and kept in the delivery log"
    )
    global_concurrency: int = Field(64, ge=1, le=10_000, description="Attempts in flight per worker")
    endpoint_concurrency: int = Field(
        16, ge=1, le=1_000, description="Attempts in flight per endpoint and worker (a slow receiver stalls only itself)"
    )
    lease_s: float = Field(
        60.0, gt=0, description="A claimed message is retried by any worker after this long (worker died mid-attempt)"
    )
    poll_interval_s: float = Field(0.1, gt=0, le=60, description="Pause between claims when nothing is due")
    backoff_base_s: float = Field(5.0, gt=0, description="Delay before the first retry; doubled per failed attempt")
    backoff_max_s: float = Field(10 * 3600.0, gt=0, description="Longest delay between two attempts")
    backoff_jitter: float = Field(0.2, ge=0, le=1, description="Random share added to or taken from each delay")
    retry_window_s: float = Field(
        3 * _DAY, gt=0, description="A message still failing this long after its event is given up"
    )
    max_retry_after_s: float = Field(_DAY, gt=0, description="Longest Retry-After of a 429 that is honoured")
    disable_after_s: float = Field(
        5 * _DAY, gt=0, description="An endpoint whose attempts all failed for this long is disabled with a notice"
    )
    claim_batch: int = Field(200, ge=1, le=10_000, description="Most messages claimed per database round trip")
