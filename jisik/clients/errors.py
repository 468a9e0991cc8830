"""The only mapping between jisik errors and gRPC statuses, used by every server and every client.

A server aborts with :func:`status_of` and sends the error's ``code`` (and field) in trailing
metadata; a client rebuilds the same error class from that code with :func:`error_from_rpc`, and
falls back to the status alone when the peer is not a jisik server. So a Conflict raised in the
retriever is a Conflict in the gateway, not an Unavailable.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import grpc

from jisik import errors
from jisik.errors import JisikError

__all__ = ["CODE_KEY", "FIELD_KEY", "error_from_rpc", "rpc_errors", "status_of", "trailing_metadata"]

CODE_KEY = "jisik-error-code"
FIELD_KEY = "jisik-error-field"

# Every class of jisik.errors that is made of a message and a field, by its stable code. A class that
# carries more (RateLimited's retry_after_s) or is defined elsewhere arrives as the class its status means.
_BY_CODE: dict[str, type[JisikError]] = {
    cls.code: cls
    for cls in (getattr(errors, name) for name in errors.__all__)
    if isinstance(cls, type) and issubclass(cls, JisikError) and cls.__init__ is JisikError.__init__
}
# What a bare status (no code: a foreign server, or grpc itself) means. Where several classes share a
# status, the one a bare status most likely stands for; the transport's own failures mean "try again".
_BY_STATUS: dict[grpc.StatusCode, type[JisikError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: errors.InvalidInput,
    grpc.StatusCode.RESOURCE_EXHAUSTED: errors.TooLarge,
    grpc.StatusCode.UNAUTHENTICATED: errors.Unauthenticated,
    grpc.StatusCode.NOT_FOUND: errors.NotFound,
    grpc.StatusCode.ALREADY_EXISTS: errors.Conflict,
    grpc.StatusCode.FAILED_PRECONDITION: errors.ParseFailed,
    grpc.StatusCode.PERMISSION_DENIED: errors.Blocked,
    grpc.StatusCode.DEADLINE_EXCEEDED: errors.DeadlineExceeded,
    grpc.StatusCode.UNAVAILABLE: errors.Unavailable,
    grpc.StatusCode.CANCELLED: errors.Unavailable,
    grpc.StatusCode.ABORTED: errors.ParserCrashed,
}


def status_of(error: JisikError) -> grpc.StatusCode:
    """The gRPC status a server answers ``error`` with (INTERNAL for the base class)."""
    return grpc.StatusCode.__members__.get(error.grpc_status, grpc.StatusCode.INTERNAL)


def trailing_metadata(error: JisikError) -> tuple[tuple[str, str], ...]:
    """What lets the client rebuild ``error`` exactly: its code and, when set, its field."""
    return ((CODE_KEY, error.code),) + (((FIELD_KEY, error.field),) if error.field else ())


def _metadata_value(error: grpc.aio.AioRpcError, key: str) -> str:
    for item_key, value in error.trailing_metadata() or ():
        if item_key == key:
            return value if isinstance(value, str) else value.decode()
    return ""


def error_from_rpc(service: str, error: grpc.aio.AioRpcError) -> JisikError:
    """The jisik error a failed call to ``service`` stands for, its message naming the service."""
    status, code = error.code(), _metadata_value(error, CODE_KEY)
    kind = _BY_CODE.get(code) or _BY_STATUS.get(status, JisikError)
    if status == grpc.StatusCode.DEADLINE_EXCEEDED and not code:  # our own deadline ran out
        message = f"{service} did not answer in time"
    elif status in (grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL) and not code:
        # an exception the service did not expect: its text (a query, a path, a value) stays in its log
        message = f"{service}: internal error"
    else:
        message = f"{service}: {error.details() or status.name}"
    return kind(message, field=_metadata_value(error, FIELD_KEY) or None)


@contextmanager
def rpc_errors(service: str) -> Iterator[None]:
    """Re-raise gRPC failures inside the block as the jisik errors they stand for."""
    try:
        yield
    except grpc.aio.AioRpcError as exc:
        raise error_from_rpc(service, exc) from exc
