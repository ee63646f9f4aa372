//! May the actor, inside the session, do this? (F1-F6, read-only, S3)

use crate::settings::{Settings, any_match};
use alloc::string::ToString;
use alloc::vec::Vec;
use standin_policy_sdk::message;
use standin_policy_sdk::{Action, ActionDecision, ActionRequest, Reasons};

/// Which rule a forbidden action falls under, by the segments of its dotted
/// name: credentials (F2), signatures and one-time passwords (F3), and
/// everything else, payments first (F1).
fn forbidden_rule(action: &str) -> &'static str {
    let mut segments = action.split('.');
    if segments
        .clone()
        .any(|s| s.contains("password") || s.starts_with("credential"))
    {
        "F2"
    } else if segments.any(|s| s == "otp" || s.starts_with("esign") || s.contains("signature")) {
        "F3"
    } else {
        "F1"
    }
}

pub fn evaluate(s: &Settings, req: &ActionRequest<'_>) -> ActionDecision {
    decide(s, req, session_reasons(req))
}

/// Several actions of one session at one time: the session's own checks
/// once, each action's for each (the same decisions as [`evaluate`]).
pub fn evaluate_many(s: &Settings, req: &ActionRequest<'_>, actions: &[Action<'_>]) -> Vec<ActionDecision> {
    let session = session_reasons(req);
    actions
        .iter()
        .map(|a| decide(s, &req.with(a), session.clone()))
        .collect()
}

/// What fails whatever the action: another tenant (S1), an expired session (S3).
fn session_reasons(req: &ActionRequest<'_>) -> Reasons {
    let session = &req.session;
    let mut reasons = Reasons::new();
    crate::principal::cross_tenant(&mut reasons, req.tenant, &session.actor, &session.target);
    if req.now >= session.expires_at {
        reasons.push(
            "session-expired",
            "S3",
            message!("session `", session.id, "` has expired"),
        );
    }
    reasons
}

/// The action's own rules, after the session's `reasons`.
fn decide(s: &Settings, req: &ActionRequest<'_>, mut reasons: Reasons) -> ActionDecision {
    let session = &req.session;
    let action = req.action;
    if (session.read_only || s.read_only) && !any_match(&s.read_actions, action) {
        reasons.push(
            "read-only-session",
            "S7",
            message!("`", action, "` is not a read action and the session is read-only"),
        );
    }
    if any_match(&s.forbidden_actions, action) {
        reasons.push(
            "forbidden-action",
            forbidden_rule(action),
            message!(
                "`",
                action,
                "` is never allowed while impersonating `",
                session.target.id,
                "`"
            ),
        );
    }
    if any_match(&s.reserved_for_target, action) {
        reasons.push(
            "reserved-for-target",
            "F4",
            message!("`", action, "` is left for `", session.target.id, "` themselves"),
        );
    }
    if let Err(reasons) = reasons.into_result() {
        return ActionDecision::Deny(reasons);
    }

    let mut obligations = Vec::new();
    if any_match(&s.deliver_to_target, action) {
        obligations.push("deliver-to-target".to_string());
    }
    if any_match(&s.ephemeral_actions, action) {
        obligations.push("do-not-persist".to_string());
    }
    if any_match(&s.notify_changes, action) {
        obligations.push("change-digest".to_string());
    }
    // DT1: the target's presence, last-seen and login history stay theirs.
    if s.do_not_track {
        obligations.push("do-not-track".to_string());
    }
    ActionDecision::Allow(obligations)
}
