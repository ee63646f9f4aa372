"""Typed errors of the client.

A deny is never an error: it is a `Decision` (or `Authorization`) with
`decision == "deny"`, returned. An error is never an allow: every failure
to get a documented answer raises, so code that proceeds only on an allow
fails closed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import OAuthError


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


class TokenExchangeError(ApiError):
    """400 of the token exchange in OAuth's form (RFC 6749 §5.2) that is not
    about the grant: `invalid_request` (a token not accepted, a bad
    `session_id`), `unsupported_grant_type`, `invalid_target`,
    `invalid_scope`. `code` and `error` are the OAuth error code, `answer`
    the whole `OAuthError`. (A deny, a pending start and one turned down
    are returned as `Exchanged`, not raised.)
    """

    def __init__(self, error: str, description: str | None, request_id: str | None = None, answer: OAuthError | None = None) -> None:
        super().__init__(400, error, description or error, request_id)
        self.error = error
        self.error_description = description
        self.answer = answer


class UnreachableError(StandinError):
    """No answer: the server could not be reached (`kind="network"`) or was too slow (`"timeout"`)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class ProtocolError(StandinError):
    """An answer that is not what the API documents (not JSON, a missing field, an unknown decision)."""
