"""The middleware: every view run while hijacked is asked of Standin first.

Place it after `AuthenticationMiddleware` and django-hijack's
`HijackUserMiddleware`. For a request made under impersonation (django-
hijack's `hijack_history` is not empty) it calls `authorize` on the current
Standin session with the action mapped from the view (`STANDIN["ACTIONS"]`
by URL name, `namespace:name`, or the view's dotted path; else
`DEFAULT_ACTION`), before the view runs:

- allow: `request.standin` is a `StandinContext` (obligations included),
  and the view runs;
- deny: 403 with the reasons; the view does not run. A deny because the
  Standin session ended (the banner's Stop, a revoke, the deadline)
  also releases the hijack; a GET is then redirected to itself, to be
  served to the hijacker;
- Standin unreachable, too slow, or answering garbage: 503; the view does
  not run. No failure leads to the view.

It also renders `StandinRefused` (a refused hijack start) and django-
hijack's own 403 after `may_hijack` said no, with the reasons.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string

from ..errors import StandinError
from . import conf
from .hijack import StandinRefused, release
from .state import Refusal, StandinContext, current_request, stack

ENDED = frozenset({"session-ended", "session-expired"})


class StandinMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.standin = None  # type: ignore[attr-defined]
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        levels = stack(request)
        if not request.session.get("hijack_history"):
            return None
        match = request.resolver_match
        name = match.view_name if match else ""
        try:
            settings = conf.load()
        except (KeyError, ValueError, TypeError) as error:
            return refuse(request, Refusal.unavailable(error))
        if name in settings.exempt:
            return None
        if not levels:
            return refuse(request, Refusal([{
                "code": "no-standin-session",
                "message": "this impersonation has no Standin session; release it and start again",
                "rule": "",
            }]))
        level = levels[-1]
        action = action_for(settings, name, view)
        resource = kwargs.get("pk", kwargs.get("id"))
        try:
            answer = settings.client().authorize(level.session, action, None if resource is None else str(resource))
        except StandinError as error:
            return refuse(request, Refusal.unavailable(error))
        if answer.decision != "allow":
            refusal = Refusal.of(answer)
            if any(reason.code in ENDED for reason in answer.reasons):
                release(request)
                if request.method in ("GET", "HEAD"):
                    return HttpResponseRedirect(request.get_full_path())
            return refuse(request, refusal)
        request.standin = StandinContext(  # type: ignore[attr-defined]
            session=level.session,
            token=level.token,
            action=action,
            acting_as=answer.acting_as,
            on_behalf_of=answer.on_behalf_of,
            obligations=list(answer.obligations or []),
            authorization=answer,
        )
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, StandinRefused):
            return refuse(request, exception.refusal)
        if isinstance(exception, PermissionDenied):
            refusals: dict[str, Refusal] = getattr(request, "_standin_refusals", {})
            refusal = refusals.get(request.POST.get("user_pk", "")) if request.method == "POST" else None
            if refusal is not None:
                return refuse(request, refusal)
        return None


def action_for(settings: conf.StandinSettings, name: str, view: Callable[..., Any]) -> str:
    path = f"{getattr(view, '__module__', '')}.{getattr(view, '__name__', '')}"
    for key in (name, path):
        if key and key in settings.actions:
            return settings.actions[key]
    return settings.default_action.format(url_name=name or path)


def refuse(request: HttpRequest, refusal: Refusal) -> HttpResponse:
    """403 (or 503) with the reasons: JSON for API clients, a page otherwise."""
    if "application/json" in request.headers.get("Accept", ""):
        code = "standin-unavailable" if refusal.status == 503 else "impersonation-denied"
        body = {"error": {"code": code, "reasons": refusal.reasons}}
        return HttpResponse(json.dumps(body), status=refusal.status, content_type="application/json")
    html = render_to_string("standin/refused.html", {"refusal": refusal}, request=request)
    return HttpResponse(html, status=refusal.status)
