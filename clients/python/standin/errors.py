"""Typed errors of the client.

A deny is never an error: it is a `Decision` (or `Authorization`) with
`decision == "deny"`, returned. An error is never an allow: every failure
to get a documented answer raises, so code that proceeds only on an allow
fails closed.
"""

from __future__ import annotations


class StandinError(Exception):
    """Anything this client raises. `request_id` matches the server's log line."""

    def __init__(self, message: str, request_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request_id = request_id


class ApiError(StandinError):
    """The server answered 4xx/5xx with its error form; `code` is the API's stable code."""

    def __init__(self, status: int, code: str, message: str, request_id: str | None = None) -> None:
        super().__init__(f"{status} {code}: {message}", request_id)
        self.status = status
        self.code = code

    @property
    def retryable(self) -> bool:
        """503 `unavailable`, `deadline-exceeded` or `overloaded` (or a 502/504 of a proxy)."""
        return self.status in (502, 503, 504)


class UploadRefusedError(ApiError):
    """422 `upload-refused`: a policy upload failed `step`."""

    def __init__(self, step: str, message: str, request_id: str | None = None) -> None:
        super().__init__(422, "upload-refused", message, request_id)
        self.step = step


class UnreachableError(StandinError):
    """No answer: the server could not be reached (`kind="network"`) or was too slow (`"timeout"`)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class ProtocolError(StandinError):
    """An answer that is not what the API documents (not JSON, a missing field, an unknown decision)."""
