"""What the SDK raises."""

from __future__ import annotations

__all__ = ["ApiError", "IndexingFailed", "JisikError", "StreamInterrupted", "WebhookVerificationError"]


class JisikError(Exception):
    """Base of every error the SDK raises."""


class ApiError(JisikError):
    """The gateway refused a request: HTTP status, jisik's error code, its message and the field at fault."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.field = field


class IndexingFailed(JisikError):
    """A document ended in ``failed`` while waiting for it to be indexed."""

    def __init__(self, document_id: str, reason: str) -> None:
        super().__init__(f"document {document_id} failed: {reason}")
        self.document_id = document_id
        self.reason = reason


class StreamInterrupted(JisikError):
    """A chat stream ended before its final event (resume it with ``continue_stream``)."""


class WebhookVerificationError(JisikError):
    """A webhook request whose signature or timestamp does not check out."""
