"""Approval (AP1, default-policy/src/approval.rs): which allowed starts
wait for a second person or for the target's consent, and who may answer.

An approval is asked with the request as it stands at the answer, so the
start's own rules are checked again first (``policy.py``): an actor who
lost the role while waiting, or who started another session meanwhile, is
not let in by an approval given in good faith.
"""

from __future__ import annotations

from typing import Optional

from principal import has_any_role, level
from settings import Settings
from standin_policy import ApprovalDecision, ApprovalRequest, Approve, Approvers, Reasons, StartRequest, refuse


def approvers(s: Settings, req: StartRequest) -> Optional[Approvers]:
    """Who must answer ``req`` before it begins; ``None`` when it needs no approval."""
    needed = s.approval == "always" or (
        s.approval == "privileged" and level(s, req.target) >= s.approval_min_target_level
    )
    return Approvers(list(s.approver_roles), s.target_approves, s.approval_ttl_seconds) if needed else None


def evaluate(s: Settings, req: ApprovalRequest) -> ApprovalDecision:
    """May ``req.approver`` answer the pending start, whose own rules the
    caller has checked again? The approver is the target (when the tenant
    lets targets approve) or a second person holding an approver role;
    never the actor."""
    actor, target, approver = req.start.actor, req.start.target, req.approver
    if approver.id == actor.id:
        return refuse("approver-is-actor", "AP1", f"`{actor.id}` cannot approve their own request")
    reasons = Reasons()
    if approver.tenant != req.start.tenant:
        reasons.push(
            "cross-tenant",
            "E8",
            f"approver `{approver.id}` belongs to tenant `{approver.tenant}`, not `{req.start.tenant}`",
        )
    if not approver.active:
        reasons.push("approver-not-allowed", "AP1", f"`{approver.id}` is not an active user")
    as_target = s.target_approves and approver.id == target.id
    as_second = has_any_role(approver, s.approver_roles)
    if not as_target and not as_second:
        who = "a holder of " + ", ".join(f"`{r}`" for r in s.approver_roles) if s.approver_roles else ""
        if s.target_approves:
            who += f"{' or the target ' if who else 'the target '}`{target.id}`"
        who = who or "nobody (approval is off)"
        reasons.push("approver-not-allowed", "AP1", f"`{approver.id}` cannot approve: only {who} can")
    return reasons.deny() or Approve()
