"""Chat sessions belong to whoever started them (their answers cite what that person may read).

Revision ID: 0016_session_owner
Revises: 0015_sso
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0016_session_owner"
down_revision = "0015_sso"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "sessions",
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False, server_default=""),
    )
    op.alter_column("sessions", "owner", server_default=None)


def downgrade() -> None:
    op.drop_column("sessions", "owner")
