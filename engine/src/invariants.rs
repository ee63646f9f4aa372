//! Rules the host enforces whatever the policy answers.
//!
//! A tenant may upload any component, so a component is trusted to narrow
//! access, never to widen it past what no tenant may grant: E8 (nobody
//! impersonates themselves or crosses tenants) is checked here, on every
//! start, extension and nested start, after the policy answered. The 24 h
//! ceiling on sessions (S1) is enforced where the grant is read
//! (`Policy::start_decision`). Nobody approves their own request (AP1):
//! [`enforce_approval`] refuses the actor as approver, and an approver of
//! another tenant, whatever the policy answered.
//!
//! Ids are compared without regard to case: `U-1` and `u-1` may or may not
//! be one user on the platform, and when in doubt the host refuses.

use crate::decision::{Decision, Denial, Reason};
use crate::request::{ApprovalRequest, StartRequest};
use std::borrow::Cow;

/// The reason code for E8's first half.
pub const SELF_IMPERSONATION: &str = "self-impersonation";
/// The reason code for E8's second half.
pub const CROSS_TENANT: &str = "cross-tenant";
/// The reason code of a start nested deeper than the host allows (E7).
pub const NESTED_IMPERSONATION: &str = "nested-impersonation";
/// The reason code of an actor approving their own request (AP1).
pub const APPROVER_IS_ACTOR: &str = "approver-is-actor";

/// The E8 reasons `request` violates, empty when none.
pub fn start_violations(request: &StartRequest) -> Vec<Reason> {
    let mut reasons = Vec::new();
    let reason = |code: &'static str, message: String| Reason {
        code: Cow::Borrowed(code),
        rule: Cow::Borrowed("E8"),
        message,
    };
    if same_id(&request.actor.id, &request.target.id) {
        reasons.push(reason(
            SELF_IMPERSONATION,
            format!(
                "`{}` cannot impersonate `{}`: the same user",
                request.actor.id, request.target.id
            ),
        ));
    }
    for (side, p) in [("actor", &request.actor), ("target", &request.target)] {
        if let Some(t) = p.tenant.as_deref().filter(|t| *t != request.tenant) {
            reasons.push(reason(
                CROSS_TENANT,
                format!(
                    "the {side} `{}` belongs to tenant `{t}`, not `{}`",
                    p.id, request.tenant
                ),
            ));
        }
    }
    reasons
}

/// `decision` with the host's E8 reasons added: an allow that violates E8
/// becomes a deny; a deny gains the reasons its policy did not give.
pub fn enforce_start(request: &StartRequest, decision: Decision) -> Decision {
    let decision = refuse(
        decision,
        start_violations(request),
        "the policy allowed a start that breaks E8; the host denies it",
    );
    enforce_scope(request, decision)
}

/// SC2: a grant holds the session to the scope its start asked for. A
/// grant that names no scope gets the one asked for; one wider than it is
/// refused (`scope-widened`), whatever the policy meant.
fn enforce_scope(request: &StartRequest, decision: Decision) -> Decision {
    let Some(asked) = &request.scope else {
        return decision;
    };
    let (Decision::Allow(grant) | Decision::Pending(grant, _)) = &decision else {
        return decision;
    };
    let wider = grant.scope.as_deref().and_then(|granted| granted.wider_than(asked));
    match wider {
        Some(why) => refuse(
            decision,
            vec![Reason {
                code: Cow::Borrowed(crate::scope::SCOPE_WIDENED),
                rule: Cow::Borrowed("SC2"),
                message: format!("the policy granted a scope wider than the start asked for: {why}"),
            }],
            "the policy granted a scope wider than asked; the host refuses the start",
        ),
        None => {
            let mut decision = decision;
            if let Decision::Allow(grant) | Decision::Pending(grant, _) = &mut decision {
                grant.scope.get_or_insert_with(|| Box::new(asked.clone()));
            }
            decision
        }
    }
}

/// `decision` turned into a deny when there are `violations` (a grant
/// loses its grant, `diagnostic` says why), with every violation whose
/// code the policy did not give already.
fn refuse(decision: Decision, violations: Vec<Reason>, diagnostic: &str) -> Decision {
    if violations.is_empty() {
        return decision;
    }
    let mut denial = match decision {
        Decision::Deny(denial) => denial,
        Decision::Allow(grant) | Decision::Pending(grant, _) => {
            let mut diagnostics = grant.diagnostics;
            diagnostics.push(diagnostic.to_string());
            Denial {
                reasons: Vec::new(),
                diagnostics,
            }
        }
    };
    for v in violations {
        if !denial.reasons.iter().any(|r| r.code == v.code) {
            denial.reasons.push(v);
        }
    }
    Decision::Deny(denial)
}

/// `decision` on an approval, refused when the approver is the actor (up
/// to case) or of another tenant, or when the start itself breaks E8.
pub fn enforce_approval(request: &ApprovalRequest, decision: Decision) -> Decision {
    let start = &request.start;
    let approver = &request.approver;
    let mut violations = start_violations(start);
    if same_id(&approver.id, &start.actor.id) {
        violations.push(Reason {
            code: Cow::Borrowed(APPROVER_IS_ACTOR),
            rule: Cow::Borrowed("AP1"),
            message: format!("`{}` cannot approve their own request", approver.id),
        });
    }
    if let Some(t) = approver.tenant.as_deref().filter(|t| *t != start.tenant) {
        violations.push(Reason {
            code: Cow::Borrowed(CROSS_TENANT),
            rule: Cow::Borrowed("E8"),
            message: format!(
                "the approver `{}` belongs to tenant `{t}`, not `{}`",
                approver.id, start.tenant
            ),
        });
    }
    refuse(
        decision,
        violations,
        "the policy let an approver answer whom no policy may; the host refuses",
    )
}

/// Whether two ids name the same user up to case (allocation-free: this
/// runs on every start decision).
fn same_id(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}
