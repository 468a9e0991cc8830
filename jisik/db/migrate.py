"""Apply Alembic migrations programmatically (``jisik up``, services at start, test fixtures)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from .engine import sync_url

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str, *, encryption_key: str = "") -> Config:
    """:param encryption_key: the operator's key, for data steps that seal stored secrets."""
    config = Config()
    config.attributes["encryption_key"] = encryption_key
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", sync_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head", *, encryption_key: str = "") -> None:
    command.upgrade(alembic_config(url, encryption_key=encryption_key), revision)
