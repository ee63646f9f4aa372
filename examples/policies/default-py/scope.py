"""The scope a start is granted (SC1, default-policy/src/scope.rs): what it
asked for, within what the tenant lets any session do
(``grantable_actions``), narrowed or refused as ``scope_beyond_grantable``
says, never widened. The host holds the session to it (SC2) whatever a
policy answers later.
"""

from __future__ import annotations

from typing import Optional

from settings import Settings
from standin_policy import Pattern, Reasons, Scope, StartRequest


def grant(s: Settings, req: StartRequest, reasons: Reasons) -> Optional[Scope]:
    """The scope to grant ``req``, or its reasons in ``reasons``; ``None``
    when the start asked for none (and needs none)."""
    asked = req.scope
    if asked is None:
        if s.require_scope:
            reasons.push("scope-required", "SC1", "the start must ask for a scope: the actions the job needs")
        return None
    actions: list[str] = []
    beyond: list[str] = []
    for wanted in asked.actions:
        try:
            pattern = Pattern.of(wanted)
        except ValueError:
            beyond.append(wanted)
            continue
        if any(g.covers(pattern) for g in s.grantable_actions):
            actions.append(wanted)
            continue
        beyond.append(wanted)
        # Narrowing: what is grantable inside what was asked.
        for inside in s.grantable_actions:
            if pattern.covers(inside) and inside.text not in actions:
                actions.append(inside.text)
    if beyond and (s.scope_beyond_grantable == "refuse" or not actions):
        listed = ", ".join(f"`{b}`" for b in beyond)
        reasons.push("scope-not-grantable", "SC1", f"the scope asks for {listed}, beyond what this tenant grants")
        return None
    return Scope(actions, list(asked.resources))
