"""django-hijack's permission check and signal receivers.

`may_hijack` is django-hijack's `HIJACK_PERMISSION_CHECK`: Standin's
`check/start` on the two users' facts (nothing stored). It is also what
django-hijack's `can_hijack` template filter calls, so buttons show only
for users the hijacker may impersonate.

`start_on_hijack` (on `hijack_started`) starts the audited Standin session.
The check and the start can disagree: the start also knows the actor's
open sessions (E7). A start that is refused, waits for approval, or cannot
be made undoes the hijack (the hijacker is logged in again) and raises
`StandinRefused`, which the middleware renders as 403 (503 when Standin
could not be asked) with the reasons. `end_on_release` (on
`hijack_ended`) ends the Standin session.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model, login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from hijack import signals
from hijack.views import keep_session_age

from .. import StartRequest
from ..errors import ApiError, StandinError
from . import conf
from .state import Level, Refusal, current_request, save, stack

log = logging.getLogger("standin.django")


class StandinRefused(PermissionDenied):
    """A hijack Standin refused (403) or could not be asked about (503); carries the reasons."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__("; ".join(r["message"] for r in refusal.reasons))
        self.refusal = refusal


def _start_request(settings: conf.StandinSettings, hijacker: Any, hijacked: Any, reason: str | None) -> StartRequest:
    return StartRequest(
        tenant=settings.tenant,
        actor=settings.principal(hijacker),
        target=settings.principal(hijacked),
        reason=reason or None,
        ttl_seconds=settings.ttl_seconds,
    )


def _reason(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    value = request.POST.get("reason", "").strip()
    return value or None


def may_hijack(*, hijacker: Any, hijacked: Any) -> bool:
    """HIJACK_PERMISSION_CHECK: may `hijacker` impersonate `hijacked`? False on any failure."""
    if hijacked is None or hijacker is None or not getattr(hijacker, "is_authenticated", False):
        return False
    request = current_request.get()
    try:
        settings = conf.load()
        decision = settings.client().check_start(_start_request(settings, hijacker, hijacked, _reason(request)))
    except (StandinError, KeyError, ValueError, TypeError) as error:
        log.warning("standin: hijack check failed closed: %s", error)
        _record(request, hijacked, Refusal.unavailable(error))
        return False
    if decision.decision == "allow":
        return True
    _record(request, hijacked, Refusal.of(decision))
    return False


def _record(request: HttpRequest | None, hijacked: Any, refusal: Refusal) -> None:
    if request is not None:
        refusals = getattr(request, "_standin_refusals", {})
        refusals[str(hijacked.pk)] = refusal
        request._standin_refusals = refusals  # type: ignore[attr-defined]


def start_on_hijack(sender: Any, *, request: HttpRequest, hijacker: Any, hijacked: Any, **kwargs: Any) -> None:
    """`hijack_started`: start the Standin session, or undo the hijack and refuse."""
    levels = stack(request)
    try:
        settings = conf.load()
        return_to = request.POST.get("return_to", "")
        if not return_to.startswith("/") or return_to.startswith("//"):
            return_to = settings.return_to
        started = settings.client().start_session(
            _start_request(settings, hijacker, hijacked, _reason(request)), return_to=return_to
        )
    except (StandinError, KeyError, ValueError, TypeError) as error:
        log.warning("standin: session start failed closed: %s", error)
        _undo(request, hijacker, levels)
        raise StandinRefused(Refusal.unavailable(error)) from error
    if started.outcome != "started" or started.session is None:
        refusal = Refusal.of(started.decision) if started.decision else Refusal(
            [{"code": "approval-pending", "message": "the session waits for approval", "rule": "AP1"}]
        )
        _undo(request, hijacker, levels)
        raise StandinRefused(refusal)
    save(request, [*levels, Level(started.session.id, started.session.token, str(hijacked.pk))])


def _undo(request: HttpRequest, hijacker: Any, levels: list[Level]) -> None:
    """Logs the hijacker in again, as django-hijack's release does, without its signal."""
    history = list(request.session.get("hijack_history", []))
    if history:
        history.pop()
    backend = request.session.get(BACKEND_SESSION_KEY)
    with signals.no_update_last_login(), keep_session_age(request.session):
        login(request, hijacker, backend=backend)
    request.session["hijack_history"] = history
    save(request, levels)


def end_on_release(sender: Any, *, request: HttpRequest, hijacker: Any, hijacked: Any, **kwargs: Any) -> None:
    """`hijack_ended`: end the Standin session of the level released."""
    levels = list(stack(request))
    level = levels.pop() if levels else None
    save(request, levels)
    if level is None:
        return
    try:
        conf.load().client().end_session(level.session)
    except ApiError as error:
        if error.code != "session-ended":
            log.error("standin: could not end session %s: %s", level.session, error)
    except StandinError as error:
        # The platform has already released; the Standin session ends at its deadline.
        log.error("standin: could not end session %s: %s", level.session, error)


def release(request: HttpRequest) -> None:
    """Releases the current hijack as django-hijack's release view does (and sends `hijack_ended`)."""
    history = list(request.session.get("hijack_history", []))
    if not history:
        return
    hijacked = request.user
    hijacker = get_user_model()._base_manager.get(pk=history.pop())
    backend = request.session.get(BACKEND_SESSION_KEY)
    levels = stack(request)
    with signals.no_update_last_login(), keep_session_age(request.session):
        login(request, hijacker, backend=backend)
    request.session["hijack_history"] = history
    save(request, levels)
    signals.hijack_ended.send(sender=None, request=request, hijacker=hijacker, hijacked=hijacked)
