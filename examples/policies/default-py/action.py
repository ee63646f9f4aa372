"""May the actor, inside the session, do this? (F1-F6, read-only
sessions, S3; default-policy/src/action.rs)
"""

from __future__ import annotations

from principal import cross_tenant
from settings import Settings
from standin_policy import ActionDecision, ActionRequest, Pattern, Reasons, allow_action


def any_match(patterns: list[Pattern], text: str) -> bool:
    """Whether any of ``patterns`` matches ``text``."""
    return any(p.matches(text) for p in patterns)


def forbidden_rule(action: str) -> str:
    """Which rule a forbidden action falls under, by the segments of its
    dotted name: credentials (F2), signatures and one-time passwords (F3),
    and everything else, payments first (F1)."""
    segments = action.split(".")
    if any("password" in s or s.startswith("credential") for s in segments):
        return "F2"
    if any(s == "otp" or s.startswith("esign") or "signature" in s for s in segments):
        return "F3"
    return "F1"


def session_reasons(req: ActionRequest) -> Reasons:
    """What fails whatever the action: another tenant (S1), an expired session (S3)."""
    session = req.session
    reasons = Reasons()
    cross_tenant(reasons, req.tenant, session.actor, session.target)
    if req.now >= session.expires_at:
        reasons.push("session-expired", "S3", f"session `{session.id}` has expired")
    return reasons


def evaluate(s: Settings, req: ActionRequest) -> ActionDecision:
    session, action = req.session, req.action
    reasons = session_reasons(req)
    if (session.read_only or s.read_only) and not any_match(s.read_actions, action):
        reasons.push("read-only-session", "S7", f"`{action}` is not a read action and the session is read-only")
    if any_match(s.forbidden_actions, action):
        reasons.push(
            "forbidden-action",
            forbidden_rule(action),
            f"`{action}` is never allowed while impersonating `{session.target.id}`",
        )
    if any_match(s.reserved_for_target, action):
        reasons.push("reserved-for-target", "F4", f"`{action}` is left for `{session.target.id}` themselves")
    denied = reasons.deny()
    if denied is not None:
        return denied

    obligations = []
    if any_match(s.deliver_to_target, action):
        obligations.append("deliver-to-target")
    if any_match(s.ephemeral_actions, action):
        obligations.append("do-not-persist")
    if any_match(s.notify_changes, action):
        obligations.append("change-digest")
    # DT1: the target's presence, last-seen and login history stay theirs.
    if s.do_not_track:
        obligations.append("do-not-track")
    return allow_action(obligations)
