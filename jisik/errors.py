"""The jisik error tree. Every layer raises these; one gRPC interceptor and one HTTP handler map them.

::

    JisikError
    ├── InvalidInput        bad argument or request (gRPC INVALID_ARGUMENT, HTTP 422)
    │   ├── UnsupportedFormat   file type we cannot read (HTTP 415)
    │   └── TooLarge            over a configured limit (gRPC RESOURCE_EXHAUSTED, HTTP 413)
    ├── Unauthenticated     missing or wrong credentials (gRPC UNAUTHENTICATED, HTTP 401)
    ├── NotFound            no such object for this tenant (gRPC NOT_FOUND, HTTP 404)
    ├── Conflict            duplicate or state clash (gRPC ALREADY_EXISTS, HTTP 409)
    ├── ParseFailed         a document could not be parsed (gRPC FAILED_PRECONDITION, HTTP 422)
    │   └── ParserCrashed       a parser process died while reading it (gRPC ABORTED)
    ├── QuotaExceeded       a tenant used up a budget for now (gRPC RESOURCE_EXHAUSTED, HTTP 429)
    │   └── PlanLimitReached    a plan's monthly limit is used up (HTTP 402; jisik.billing.limits)
    ├── Blocked             refused by policy, e.g. an SSRF-guarded URL (gRPC PERMISSION_DENIED, HTTP 403)
    │   └── Forbidden           the caller's role or key scopes do not allow this (HTTP 403)
    ├── RateLimited         too many attempts; retry after ``retry_after_s`` (gRPC RESOURCE_EXHAUSTED, HTTP 429)
    ├── Unavailable         a dependency is down or timed out (gRPC UNAVAILABLE, HTTP 503)
    └── DeadlineExceeded    work took longer than its limit (gRPC DEADLINE_EXCEEDED, HTTP 504)

Messages are meant for users: they name the object and the cause, never secrets or document text.
"""

from __future__ import annotations

__all__ = [
    "Blocked",
    "ConsentRequired",
    "Conflict",
    "DeadlineExceeded",
    "Forbidden",
    "InvalidInput",
    "JisikError",
    "NotFound",
    "ParseFailed",
    "ParserCrashed",
    "QuotaExceeded",
    "RateLimited",
    "TooLarge",
    "Unauthenticated",
    "Unavailable",
    "UnsupportedFormat",
]


class JisikError(Exception):
    """Base of every error jisik raises on purpose. ``code`` is a stable machine-readable name."""

    code: str = "error"
    http_status: int = 500
    grpc_status: str = "INTERNAL"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(JisikError):
    code = "invalid_input"
    http_status = 422
    grpc_status = "INVALID_ARGUMENT"


class UnsupportedFormat(InvalidInput):
    code = "unsupported_format"
    http_status = 415


class TooLarge(InvalidInput):
    code = "too_large"
    http_status = 413
    grpc_status = "RESOURCE_EXHAUSTED"


class Unauthenticated(JisikError):
    code = "unauthenticated"
    http_status = 401
    grpc_status = "UNAUTHENTICATED"


class NotFound(JisikError):
    code = "not_found"
    http_status = 404
    grpc_status = "NOT_FOUND"


class Conflict(JisikError):
    code = "conflict"
    http_status = 409
    grpc_status = "ALREADY_EXISTS"


class ParseFailed(JisikError):
    code = "parse_failed"
    http_status = 422
    grpc_status = "FAILED_PRECONDITION"


class ParserCrashed(ParseFailed):
    """The parser process died on the document (it alone is failed; its worker is replaced)."""

    code = "parser_crashed"
    grpc_status = "ABORTED"


class QuotaExceeded(JisikError):
    code = "quota_exceeded"
    http_status = 429
    grpc_status = "RESOURCE_EXHAUSTED"


class Blocked(JisikError):
    code = "blocked"
    http_status = 403
    grpc_status = "PERMISSION_DENIED"


class Forbidden(Blocked):
    """Authenticated, but the role or the key's scopes do not cover the request."""

    code = "forbidden"


class ConsentRequired(JisikError):
    """The tenant has not consented to what was asked (training on its data): a state of the tenant the
    caller can change, not a permission the caller lacks."""

    code = "consent_required"
    http_status = 409
    grpc_status = "FAILED_PRECONDITION"


class RateLimited(JisikError):
    code = "rate_limited"
    http_status = 429
    grpc_status = "RESOURCE_EXHAUSTED"

    def __init__(self, message: str, *, retry_after_s: float, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after_s = retry_after_s


class Unavailable(JisikError):
    code = "unavailable"
    http_status = 503
    grpc_status = "UNAVAILABLE"


class DeadlineExceeded(JisikError):
    code = "deadline_exceeded"
    http_status = 504
    grpc_status = "DEADLINE_EXCEEDED"
