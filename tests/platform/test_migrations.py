"""The Alembic migrations produce exactly the schema the SQLModel models declare."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import jisik.db.models  # noqa: F401
from jisik.db.engine import sync_url

pytestmark = pytest.mark.integration


def test_models_match_migrations(fresh_database: str) -> None:
    engine = create_engine(sync_url(fresh_database))
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            model_tables = set(SQLModel.metadata.tables)
            diff = [
                change for change in compare_metadata(context, SQLModel.metadata)
                # Tables owned by services with their own models (e.g. the retriever's index) are not SQLModel's.
                if not (change[0] == "remove_table" and change[1].name not in model_tables)
            ]
    finally:
        engine.dispose()
    assert diff == []
