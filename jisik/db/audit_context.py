"""Writes a transaction's audit context row: who (the current actor) and which request.

:func:`install` registers SQLAlchemy session events once per process. The first write of a transaction
(its first flush, or its first ORM ``INSERT``/``UPDATE``/``DELETE`` statement) adds one
``audit_context`` row keyed by the transaction id, in that same transaction. It commits if and only if
the changes commit, and the cdc audit processor joins the changes with it by transaction id. A
transaction with neither an actor nor a request id writes no row: its changes are the system's.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, text
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from jisik.actors import current_actor
from jisik.log_context import current_request_id

__all__ = ["UNKNOWN_ACTOR", "context_values", "install"]

# A request that wrote without an authenticated actor (the admin token creating a tenant).
UNKNOWN_ACTOR = "unknown"

_MARK = "jisik.audit_context"
_INSERT = text(
    "INSERT INTO audit_context (xid, xid32, actor, request_id, created_at) "
    "SELECT x, x % 4294967296, :actor, :request_id, now() "
    "FROM (SELECT pg_current_xact_id()::text::bigint AS x) AS current "
    "ON CONFLICT (xid) DO NOTHING"
)


def context_values() -> dict[str, str] | None:
    """The context row of the work in progress, or None when nobody is known to be acting."""
    actor, request_id = current_actor(), current_request_id()
    if actor is None and not request_id:
        return None
    return {"actor": actor.label if actor else UNKNOWN_ACTOR, "request_id": request_id[:128]}


def _write_once(session: Session) -> None:
    transaction: SessionTransaction | None = session.get_transaction()
    if transaction is None or session.info.get(_MARK) is transaction:
        return
    values = context_values()
    if values is None:
        return
    session.info[_MARK] = transaction
    session.connection().execute(_INSERT, values)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    _write_once(session)


def _on_execute(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        _write_once(state.session)


def install() -> None:
    """Register the session events (idempotent; every Session of the process, sync or async)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "do_orm_execute", _on_execute)
