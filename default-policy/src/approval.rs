//! Approval (AP1, beyond the seeds): which allowed starts wait for a second
//! person or for the target's consent, and who may answer them.
//!
//! An approval is asked with the request as it stands at the answer, so
//! the start's own rules are checked again first: an actor who lost the
//! role while waiting, or who started another session meanwhile, is not let
//! in by an approval given in good faith.

use crate::principal::{has_any_role, level};
use crate::settings::{Approval, Settings};
use alloc::string::String;
use standin_policy_sdk::message;
use standin_policy_sdk::{ApprovalDecision, ApprovalRequest, Approvers, Reasons, StartRequest};

/// Who must answer `req` before it begins; `None` when it needs no approval.
pub fn approvers(s: &Settings, req: &StartRequest<'_>) -> Option<Approvers> {
    let needed = match s.approval {
        Approval::Never => false,
        Approval::Always => true,
        Approval::Privileged => level(s, &req.target) >= s.approval_min_target_level,
    };
    needed.then(|| Approvers {
        roles: s.approver_roles.to_vec(),
        target: s.target_approves,
        ttl_seconds: s.approval_ttl_seconds,
    })
}

/// May `req.approver` answer the pending start, whose own rules the
/// caller has checked again ([`crate::DefaultPolicy`])? The approver is
/// the target (when the tenant lets targets approve) or a second person
/// holding an approver role; never the actor.
pub fn evaluate(s: &Settings, req: &ApprovalRequest<'_>) -> ApprovalDecision {
    let (actor, target, approver) = (&req.start.actor, &req.start.target, &req.approver);
    if approver.id == actor.id {
        return ApprovalDecision::refuse(
            "approver-is-actor",
            "AP1",
            message!("`", actor.id, "` cannot approve their own request"),
        );
    }
    let mut reasons = Reasons::new();
    if approver.tenant != req.start.tenant {
        reasons.push(
            "cross-tenant",
            "E8",
            message!(
                "approver `",
                approver.id,
                "` belongs to tenant `",
                approver.tenant,
                "`, not `",
                req.start.tenant,
                "`"
            ),
        );
    }
    if !approver.active {
        reasons.push(
            "approver-not-allowed",
            "AP1",
            message!("`", approver.id, "` is not an active user"),
        );
    }
    let as_target = s.target_approves && approver.id == target.id;
    let as_second = has_any_role(approver, &s.approver_roles);
    if !as_target && !as_second {
        let mut who = String::new();
        if !s.approver_roles.is_empty() {
            who.push_str("a holder of ");
            for (i, role) in s.approver_roles.iter().enumerate() {
                who.push_str(if i == 0 { "`" } else { ", `" });
                who.push_str(role);
                who.push('`');
            }
        }
        if s.target_approves {
            who.push_str(if who.is_empty() {
                "the target "
            } else {
                " or the target "
            });
            who.push('`');
            who.push_str(target.id);
            who.push('`');
        }
        if who.is_empty() {
            who.push_str("nobody (approval is off)");
        }
        reasons.push(
            "approver-not-allowed",
            "AP1",
            message!("`", approver.id, "` cannot approve: only ", who, " can"),
        );
    }
    match reasons.into_result() {
        Ok(()) => ApprovalDecision::Approve,
        Err(reasons) => ApprovalDecision::Deny(reasons),
    }
}
