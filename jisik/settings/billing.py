"""Metering and plans: the plan a tenant without one is on, and the soft thresholds that alert."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from ._base import JisikSettings


class BillingSettings(JisikSettings):
    config_table = "billing"
    model_config = SettingsConfigDict(env_prefix="JISIK_BILLING_", extra="ignore", frozen=True)

    default_plan: str = Field("free", max_length=32, description="Plan id of tenants that were given no plan")
    threshold_levels: tuple[int, ...] = Field(
        (50, 80, 100), description="Percentages of a monthly limit that fire billing.threshold (once per period)"
    )
    enforce_limits: bool = Field(
        True, description="Refuse uploads, URL imports and chats once a hard monthly limit is reached"
    )

    @field_validator("threshold_levels")
    @classmethod
    def _percentages(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(not 0 < level <= 1000 for level in value):
            raise ValueError("threshold levels are percentages between 1 and 1000")
        return tuple(sorted(set(value)))
