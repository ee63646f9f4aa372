"""Where the integration keeps its state, and why there.

django-hijack logs in as the other user with Django's `login()`, which
flushes the session when the user changes; it then puts back only its own
`hijack_history`. So the Standin sessions (a stack, one per hijack level)
are kept in the Django session under `standin_sessions`, read by the
middleware *before* the view runs (onto `request`), and written back by the
signal receivers *after* `login()`. The request being served is kept in a
context variable, because django-hijack calls its permission check with
the two users only, and the check records its refusal for the 403 page.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from ..models import Authorization, Decision

SESSION_KEY = "standin_sessions"

current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "standin_current_request", default=None
)


@dataclass(frozen=True)
class Level:
    """One hijack level: the Standin session and its impersonation token."""

    session: str
    token: str | None
    hijacked: str

    def to_json(self) -> dict[str, Any]:
        return {"session": self.session, "token": self.token, "hijacked": self.hijacked}

    @staticmethod
    def from_json(data: Any) -> Level | None:
        if isinstance(data, dict) and isinstance(data.get("session"), str):
            token = data.get("token")
            return Level(data["session"], token if isinstance(token, str) else None, str(data.get("hijacked")))
        return None


@dataclass(frozen=True)
class StandinContext:
    """`request.standin` for a request allowed inside an impersonation session."""

    session: str
    token: str | None
    action: str
    acting_as: str | None
    on_behalf_of: str | None
    obligations: list[str]
    authorization: Authorization

    @property
    def do_not_track(self) -> bool:
        """The `do-not-track` obligation is among them (DT1): this request is the
        actor's, so the app must not update the target's presence, last-seen time
        or login history for it. (django-hijack already leaves `last_login` alone
        when it logs the hijacker in as the target.)"""
        return "do-not-track" in self.obligations


@dataclass
class Refusal:
    """Why something was refused: a deny decision, or a failure to ask (fail closed)."""

    reasons: list[dict[str, str]] = field(default_factory=list)
    status: int = 403

    @staticmethod
    def of(decision: Decision | Authorization) -> Refusal:
        return Refusal([{"code": r.code, "message": r.message, "rule": r.rule or ""} for r in decision.reasons])

    @staticmethod
    def unavailable(error: Exception) -> Refusal:
        message = f"Standin could not be asked ({type(error).__name__}); nothing was done"
        return Refusal([{"code": "standin-unavailable", "message": message, "rule": ""}], status=503)


def stack(request: HttpRequest) -> list[Level]:
    """The hijack levels as the middleware read them before the view ran."""
    cached: list[Level] | None = getattr(request, "_standin_stack", None)
    if cached is None:
        cached = [level for level in map(Level.from_json, request.session.get(SESSION_KEY, [])) if level]
        request._standin_stack = cached  # type: ignore[attr-defined]
    return cached


def save(request: HttpRequest, levels: list[Level]) -> None:
    request._standin_stack = levels  # type: ignore[attr-defined]
    request.session[SESSION_KEY] = [level.to_json() for level in levels]
