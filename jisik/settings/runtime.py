"""Settings of the embedded runtime (`jisik up`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from ._base import JisikSettings
from ._paths import installed


class RuntimeSettings(JisikSettings):
    config_table = "runtime"
    model_config = SettingsConfigDict(env_prefix="JISIK_", extra="ignore", frozen=True)

    data_dir: Path = Field(
        Path("var"),
        description="Where embedded PostgreSQL data, objects and logs live; a relative path is under the "
        "installation folder, whatever the working directory",
    )
    ready_timeout_s: float = Field(120.0, gt=0, description="How long `jisik up` waits for readiness")
    preload_models: bool = Field(
        False,
        description="Load analyzers and the default models at service start instead of on first use "
        "(slower start, more memory up front, no first-request delay)",
    )
    restart_backoff_s: float = Field(
        0.5, ge=0, description="Wait before restarting a crashed child; doubles on each further crash"
    )
    restart_backoff_max_s: float = Field(30.0, ge=0, description="Longest wait before restarting a crashed child")
    crash_loop_limit: int = Field(
        5, ge=1, description="Crashes of one child within the crash-loop window after which `jisik up` stops"
    )
    crash_loop_window_s: float = Field(120.0, gt=0, description="Window in which crashes count towards the limit")
    stop_grace_s: float = Field(10.0, ge=0, description="How long a stopping child may take before it is killed")

    @field_validator("data_dir")
    @classmethod
    def _anchored(cls, value: Path) -> Path:
        return installed(value)
