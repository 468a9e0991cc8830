"""The Alembic migrations produce exactly the schema the SQLModel models declare."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import jisik.db.models  # noqa: F401
from jisik.db.engine import sync_url

pytestmark = pytest.mark.integration


def _table_name(change: Any) -> str:
    """The table an autogenerate change is about (column changes come as a list of tuples)."""
    if isinstance(change, list):
        return str(change[0][2])
    target = change[1]
    if hasattr(target, "table"):  # indexes and constraints
        return str(target.table.name)
    return str(getattr(target, "name", change[2] if len(change) > 2 else ""))


# The retriever's pgvector column lives outside SQLModel's metadata; reflection cannot name its type.
@pytest.mark.filterwarnings("ignore:Did not recognize type 'vector'")
def test_models_match_migrations(fresh_database: str) -> None:
    engine = create_engine(sync_url(fresh_database))
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            model_tables = set(SQLModel.metadata.tables)
            diff = [
                change for change in compare_metadata(context, SQLModel.metadata)
                # Tables owned by services with their own schema (e.g. the retriever's index) are not SQLModel's.
                if _table_name(change) in model_tables
            ]
    finally:
        engine.dispose()
    assert diff == []
