"""Webhook signing secrets sealed at rest: wider columns for the Fernet tokens, a clear prefix to tell
secrets apart, and every secret stored in clear until now sealed with the operator's key.

The data step needs the key (``JISIK_ENCRYPTION_KEY``; ``jisik up`` passes the one it keeps in its data
folder) only when there are secrets to seal; without it the migration stops and changes nothing.

Revision ID: 0019_webhook_secrets_sealed
Revises: 0018_field_tagger
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import context, op

from jisik.secret_box import KEY_SETTING, SecretBox

revision = '0019_webhook_secrets_sealed'
down_revision = '0018_field_tagger'
branch_labels = None
depends_on = None

_CLEAR = "whsec_"
_PREFIX_SHOWN = 12


def _box(purpose: str, count: int) -> SecretBox:
    key = str(context.config.attributes.get("encryption_key", ""))
    if not key:
        raise RuntimeError(f"{count} webhook endpoints have signing secrets to {purpose}: set {KEY_SETTING} "
                           "(`jisik up` keeps its key in <data folder>/encryption_key) and migrate again")
    return SecretBox(key)


def _rows(bind: sa.Connection, where: str) -> list[tuple[str, str, str]]:
    rows = bind.execute(sa.text(f"SELECT id, secret, previous_secret FROM webhook_endpoints WHERE {where}"))
    return [(str(row[0]), str(row[1]), str(row[2])) for row in rows]


def _update(bind: sa.Connection, endpoint_id: str, secret: str, previous: str, prefix: str | None) -> None:
    bind.execute(sa.text("UPDATE webhook_endpoints SET secret = :secret, previous_secret = :previous, "
                         "secret_prefix = coalesce(:prefix, secret_prefix) WHERE id = :id"),
                 {"id": endpoint_id, "secret": secret, "previous": previous, "prefix": prefix})


def upgrade() -> None:
    for column in ('secret', 'previous_secret'):
        op.alter_column('webhook_endpoints', column, type_=sqlmodel.sql.sqltypes.AutoString(length=255),
                        existing_type=sqlmodel.sql.sqltypes.AutoString(length=100), existing_nullable=False)
    op.add_column('webhook_endpoints', sa.Column('secret_prefix', sqlmodel.sql.sqltypes.AutoString(length=12),
                                                 nullable=False, server_default=''))
    bind = op.get_bind()
    rows = _rows(bind, f"secret LIKE '{_CLEAR}%' OR previous_secret LIKE '{_CLEAR}%'")
    if not rows:
        return
    box = _box("seal", len(rows))

    def sealed(value: str) -> str:
        return box.encrypt(value) if value.startswith(_CLEAR) else value

    for endpoint_id, secret, previous in rows:
        prefix = secret[:_PREFIX_SHOWN] if secret.startswith(_CLEAR) else None
        _update(bind, endpoint_id, sealed(secret), sealed(previous), prefix)


def downgrade() -> None:
    bind = op.get_bind()
    rows = _rows(bind, f"secret <> '' AND secret NOT LIKE '{_CLEAR}%'")
    if rows:
        box = _box("open", len(rows))
        for endpoint_id, secret, previous in rows:
            owner = f"webhook endpoint {endpoint_id}"
            opened = box.decrypt(secret, owner=owner)
            old = previous if not previous or previous.startswith(_CLEAR) else box.decrypt(previous, owner=owner)
            _update(bind, endpoint_id, opened, old, None)
    op.drop_column('webhook_endpoints', 'secret_prefix')
    for column in ('secret', 'previous_secret'):
        op.alter_column('webhook_endpoints', column, type_=sqlmodel.sql.sqltypes.AutoString(length=100),
                        existing_type=sqlmodel.sql.sqltypes.AutoString(length=255), existing_nullable=False)
