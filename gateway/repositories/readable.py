"""The SQL form of jisik.access's rule: which documents a caller may read."""

from __future__ import annotations

from sqlalchemy import ColumnElement, cast, func, or_, true
from sqlalchemy.dialects.postgresql import ARRAY, VARCHAR
from sqlmodel import col

from jisik.access import Access
from jisik.db.models import Knowledge

__all__ = ["readable_by"]


def readable_by(access: Access) -> ColumnElement[bool]:
    """Documents whose effective list lets ``access`` read them."""
    if access.everything:
        return true()
    acl = col(Knowledge.acl_principals)
    if not access.principals:
        return func.cardinality(acl) == 0
    mine = cast(sorted(access.principals), ARRAY(VARCHAR(255)))
    return or_(func.cardinality(acl) == 0, acl.op("&&")(mine))
