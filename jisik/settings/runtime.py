"""Settings of the embedded runtime (`jisik up`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ._base import JisikSettings


class RuntimeSettings(JisikSettings):
    config_table = "runtime"
    model_config = SettingsConfigDict(env_prefix="JISIK_", extra="ignore", frozen=True)

    data_dir: Path = Field(Path("var"), description="Where embedded PostgreSQL data and objects live")
    ready_timeout_s: float = Field(120.0, gt=0, description="How long `jisik up` waits for readiness")
    preload_models: bool = Field(
        False,
        description="Load analyzers and the default models at service start instead of on first use "
        "(slower start, more memory up front, no first-request delay)",
    )
