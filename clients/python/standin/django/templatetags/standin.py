"""`{% load standin %}{% standin_banner %}`: the impersonation banner, while hijacked.

Renders `<standin-banner>` (and the script that defines it, from Standin's
PUBLIC_URL) with the current Standin session and its impersonation token,
which lets the page read that session's banner and end it, nothing else.
Renders nothing when the request is not made under impersonation.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from .. import conf
from ..state import stack

register = template.Library()


@register.simple_tag(takes_context=True)
def standin_banner(context: dict[str, Any]) -> SafeString:
    request = context.get("request")
    if request is None or not request.session.get("hijack_history"):
        return mark_safe("")
    levels = stack(request)
    if not levels or levels[-1].token is None:
        return mark_safe("")
    settings = conf.load()
    html = render_to_string(
        "standin/banner.html",
        {"public_url": settings.public_url, "tenant": settings.tenant, "session": levels[-1].session, "token": levels[-1].token},
    )
    return mark_safe(html)
