"""Single sign-on: a tenant's OpenID Connect provider (client secret sealed), sign-ins in progress (used
once), and the provider subjects linked to users with the groups their last sign-in brought.

Revision ID: 0015_sso
Revises: 0014_accounts
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0015_sso"
down_revision = "0014_accounts"
branch_labels = None
depends_on = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "tenant_sso",
        sa.Column("tenant_id", _text(36), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("issuer", _text(500), nullable=False),
        sa.Column("client_id", _text(255), nullable=False),
        sa.Column("client_secret_sealed", _text(2000), nullable=False),
        sa.Column("group_claim", _text(100), nullable=False),
        sa.Column("scopes", _text(500), nullable=False),
        sa.Column("default_role", _text(16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("tenant_id"),
    )
    op.create_table(
        "sso_logins",
        sa.Column("state_hash", _text(64), nullable=False),
        sa.Column("tenant_id", _text(36), nullable=False),
        sa.Column("nonce", _text(128), nullable=False),
        sa.Column("code_verifier", _text(128), nullable=False),
        sa.Column("redirect_uri", _text(1000), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("state_hash"),
    )
    op.create_index(op.f("ix_sso_logins_tenant_id"), "sso_logins", ["tenant_id"], unique=False)
    op.create_table(
        "sso_identities",
        sa.Column("id", _text(36), nullable=False),
        sa.Column("tenant_id", _text(36), nullable=False),
        sa.Column("issuer", _text(500), nullable=False),
        sa.Column("subject", _text(255), nullable=False),
        sa.Column("user_id", _text(36), nullable=False),
        sa.Column("groups", postgresql.ARRAY(sa.VARCHAR(length=100)), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_signin_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "issuer", "subject", name="uq_sso_identities_subject"),
    )
    op.create_index(op.f("ix_sso_identities_tenant_id"), "sso_identities", ["tenant_id"], unique=False)
    op.create_index(op.f("ix_sso_identities_user_id"), "sso_identities", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_sso_identities_user_id"), table_name="sso_identities")
    op.drop_index(op.f("ix_sso_identities_tenant_id"), table_name="sso_identities")
    op.drop_table("sso_identities")
    op.drop_index(op.f("ix_sso_logins_tenant_id"), table_name="sso_logins")
    op.drop_table("sso_logins")
    op.drop_table("tenant_sso")
