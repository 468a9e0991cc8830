"""Privacy settings per tenant: the PII mask policy for chat prompts, the masked types, and the consent
to use the tenant's data for training (off until the tenant turns it on).

Revision ID: 0006_privacy
Revises: 0005_fields
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0006_privacy"
down_revision = "0005_fields"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "tenants", sa.Column("pii_policy", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
    )
    op.add_column(
        "tenants",
        sa.Column(
            "pii_types", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False, server_default=""
        ),
    )
    op.add_column(
        "tenants", sa.Column("training_consent", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.alter_column("tenants", "pii_types", server_default=None)
    op.alter_column("tenants", "training_consent", server_default=None)


def downgrade() -> None:
    op.drop_column("tenants", "training_consent")
    op.drop_column("tenants", "pii_types")
    op.drop_column("tenants", "pii_policy")
