"""Object storage settings (originals, extracted images)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from ._base import JisikSettings


class StorageSettings(JisikSettings):
    """``local`` keeps objects under ``local_dir``; ``s3`` talks to S3 or MinIO."""

    config_table = "storage"
    model_config = SettingsConfigDict(env_prefix="JISIK_STORAGE_", extra="ignore", frozen=True)

    backend: Literal["local", "s3"] = "local"
    local_dir: Path = Field(
        Path("objects"), description="Root folder of the local backend; a relative path is under JISIK_DATA_DIR"
    )
    s3_endpoint: str = Field("", description="host:port of S3/MinIO, e.g. 127.0.0.1:9000")
    s3_bucket: str = "jisik"
    s3_access_key: SecretStr = SecretStr("")
    s3_secret_key: SecretStr = SecretStr("")
    s3_region: str = "us-east-1"
    s3_secure: bool = False
