"""Whether an error means PostgreSQL is unreachable (down, restarting, refusing connections), as
opposed to a fault of the statement or the data. Callers answer 503 or wait the outage out."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

__all__ = ["database_is_down"]

_DATABASE_MODULES = ("/asyncpg/", "/sqlalchemy/", "/psycopg/")
# SQLSTATE classes of a server that cannot take the statement: connection exceptions (08) and the
# operator's interventions (57P01 admin shutdown, 57P02 crash shutdown, 57P03 "the database system
# is starting up", ...).
_OUTAGE_STATES = ("08", "57P")


def _raised_by_database_driver(exc: BaseException) -> bool:
    """A connection error is PostgreSQL's when the database driver raised it (asyncpg's connect
    raises plain OSError subclasses that SQLAlchemy does not wrap)."""
    frame = exc.__traceback__
    while frame is not None:
        if any(part in frame.tb_frame.f_code.co_filename for part in _DATABASE_MODULES):
            return True
        frame = frame.tb_next
    return False


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and what it was raised from, the driver's own error included."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 8:
        chain.append(current)
        current = current.__cause__ or getattr(current, "orig", None)
    return chain


def _outage_state(exc: BaseException) -> bool:
    state = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
    return isinstance(state, str) and state.startswith(_OUTAGE_STATES)


def database_is_down(exc: BaseException) -> bool:
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeout):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    for error in _causes(exc):
        if _outage_state(error):
            return True
        if isinstance(error, ConnectionError | TimeoutError) and _raised_by_database_driver(error):
            return True
    return False
