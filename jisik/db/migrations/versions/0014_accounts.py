"""People and credentials: users (people and service accounts) with roles, groups and their members,
web sessions, API keys of users and service accounts, invitations, and a seat limit per tenant.

The tenant's own key (tenants.api_key_hash) stays: it is the tenant's bootstrap key and authenticates
as the tenant's owner service actor.

Revision ID: 0014_accounts
Revises: 0013_billing
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0014_accounts"
down_revision = "0013_billing"
branch_labels = None
depends_on = None


def _string(length: int) -> sa.types.TypeEngine[str]:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def _id() -> sa.Column[str]:
    return sa.Column("id", _string(36), nullable=False)


def _tenant() -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("tenant_id", _string(36), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
    ]


def _moment(name: str, *, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _user_reference() -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("user_id", _string(36), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
    ]


def _indexed(table: str, *columns: str) -> None:
    for column in columns:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def upgrade() -> None:
    op.add_column("tenants", sa.Column("seat_limit", sa.Integer(), nullable=True))
    op.create_table(
        "users",
        _id(),
        *_tenant(),
        sa.Column("kind", _string(16), nullable=False),
        sa.Column("email", _string(320), nullable=True),
        sa.Column("name", _string(255), nullable=False),
        sa.Column("role", _string(16), nullable=False),
        sa.Column("password_hash", _string(255), nullable=True),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("failed_signins", sa.Integer(), nullable=False),
        _moment("locked_until"),
        _moment("last_signin_at"),
        _moment("created_at", nullable=False),
        _moment("updated_at", nullable=False),
        sa.CheckConstraint("kind IN ('person','service')", name="ck_users_kind"),
        sa.CheckConstraint("role IN ('owner','admin','editor','reviewer','viewer')", name="ck_users_role"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "email", name="uq_users_tenant_email"),
    )
    _indexed("users", "tenant_id")
    op.create_table(
        "groups",
        _id(),
        *_tenant(),
        sa.Column("name", _string(100), nullable=False),
        sa.Column("description", _string(1000), nullable=False),
        _moment("created_at", nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "name", name="uq_groups_tenant_name"),
    )
    _indexed("groups", "tenant_id")
    op.create_table(
        "group_members",
        sa.Column("group_id", _string(36), nullable=False),
        *_user_reference(),
        *_tenant(),
        _moment("created_at", nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("group_id", "user_id"),
    )
    _indexed("group_members", "tenant_id", "user_id")
    op.create_table(
        "web_sessions",
        _id(),
        *_tenant(),
        *_user_reference(),
        sa.Column("token_hash", _string(64), nullable=False),
        sa.Column("csrf_token", _string(64), nullable=False),
        _moment("created_at", nullable=False),
        _moment("last_seen_at", nullable=False),
        _moment("expires_at", nullable=False),
        _moment("revoked_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    _indexed("web_sessions", "tenant_id", "user_id")
    op.create_table(
        "api_keys",
        _id(),
        *_tenant(),
        *_user_reference(),
        sa.Column("name", _string(100), nullable=False),
        sa.Column("prefix", _string(16), nullable=False),
        sa.Column("key_hash", _string(64), nullable=False),
        sa.Column("scopes", postgresql.ARRAY(sa.VARCHAR(length=16)), nullable=False),
        _moment("expires_at"),
        _moment("revoked_at"),
        _moment("last_used_at"),
        sa.Column("created_by", _string(255), nullable=False),
        _moment("created_at", nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
    )
    _indexed("api_keys", "tenant_id", "user_id")
    op.create_table(
        "invitations",
        _id(),
        *_tenant(),
        sa.Column("email", _string(320), nullable=False),
        sa.Column("role", _string(16), nullable=False),
        sa.Column("token_hash", _string(64), nullable=False),
        sa.Column("invited_by", _string(255), nullable=False),
        _moment("expires_at", nullable=False),
        _moment("accepted_at"),
        _moment("revoked_at"),
        _moment("created_at", nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    _indexed("invitations", "tenant_id")


def downgrade() -> None:
    for table in ("invitations", "api_keys", "web_sessions", "group_members", "groups", "users"):
        op.drop_table(table)
    op.drop_column("tenants", "seat_limit")
