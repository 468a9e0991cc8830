"""What the model saw: an answer's prompt as the chat model received it, stored with the answer.

Revision ID: 0010_model_input
Revises: 0009_retention
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010_model_input"
down_revision = "0009_retention"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("messages", sa.Column("model_input", postgresql.JSONB(), nullable=True))


def downgrade() -> None:
    op.drop_column("messages", "model_input")
