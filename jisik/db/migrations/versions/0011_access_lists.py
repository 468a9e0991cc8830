"""Access lists: a knowledge base's list and owner, a document's own list (its effective list stays in
``knowledges.acl_principals``, which index.meta carries to the retriever).

Revision ID: 0011_access_lists
Revises: 0010_model_input
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0011_access_lists"
down_revision = "0010_model_input"
branch_labels = None
depends_on = None

_LIST = postgresql.ARRAY(sa.VARCHAR(length=255))


def upgrade() -> None:
    op.add_column("knowledge_bases", sa.Column("access_list", _LIST, nullable=False, server_default="{}"))
    op.add_column(
        "knowledge_bases",
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False, server_default=""),
    )
    op.add_column("knowledges", sa.Column("access_list", _LIST, nullable=False, server_default="{}"))
    # Lists set before this revision were the documents' own.
    op.execute("UPDATE knowledges SET access_list = acl_principals")
    for table, column in (("knowledge_bases", "access_list"), ("knowledge_bases", "owner"), ("knowledges", "access_list")):
        op.alter_column(table, column, server_default=None)


def downgrade() -> None:
    op.drop_column("knowledges", "access_list")
    op.drop_column("knowledge_bases", "owner")
    op.drop_column("knowledge_bases", "access_list")
