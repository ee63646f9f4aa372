//! What a policy answers, checked before anyone sees it, beside the
//! bindings that bring it: response caps (entries and bytes), a deny must
//! give a reason, a grant is never of 0 seconds nor past the host's cap
//! ([`HARD_MAX_TTL_SECONDS`]). A check that fails turns the answer into a
//! `policy-error` deny.

use crate::bindings::answer::Name;
use crate::bindings::wit;
use crate::decision::{Approvers, Decision, Grant, Lease, Reason, codes};
use crate::sandbox::{Failure, SandboxLimits};
use std::borrow::Cow;

/// No session outlives this, whatever a policy grants (S1).
pub const HARD_MAX_TTL_SECONDS: u64 = 86_400;
/// No approval request waits longer than this (a week), whatever a policy says.
pub const MAX_APPROVAL_TTL_SECONDS: u64 = 7 * 86_400;

/// A start's answer, checked: size caps, no 0-second session, the 24 h
/// cap; a pending start also a wait of 1 s to a week and an approver.
pub(crate) fn start_decision(limits: &SandboxLimits, answer: wit::StartDecision) -> Decision {
    match answer {
        wit::StartDecision::Allow(grant) => granted(limits, grant),
        wit::StartDecision::Pending(wit::PendingStart { grant, approvers }) => {
            if let Err(failure) = check_size(limits, &approvers.roles, &[]) {
                return failure.into_decision();
            }
            if approvers.roles.is_empty() && !approvers.target {
                return Decision::host_deny(codes::POLICY_ERROR, "policy asked for approval but named no approver");
            }
            if approvers.ttl_seconds == 0 || approvers.ttl_seconds > MAX_APPROVAL_TTL_SECONDS {
                return Decision::host_deny(
                    codes::POLICY_ERROR,
                    format!(
                        "policy let a request wait {} s for approval, not between 1 s and {MAX_APPROVAL_TTL_SECONDS} s",
                        approvers.ttl_seconds
                    ),
                );
            }
            match granted(limits, grant) {
                Decision::Allow(grant) => Decision::Pending(
                    grant,
                    Box::new(Approvers {
                        roles: approvers.roles,
                        target: approvers.target,
                        ttl_seconds: approvers.ttl_seconds,
                    }),
                ),
                refused => refused,
            }
        }
        wit::StartDecision::Deny(reasons) => deny(limits, reasons),
    }
}

/// A grant, checked: size caps, no 0-second session, the 24 h cap.
fn granted(limits: &SandboxLimits, grant: wit::StartGrant) -> Decision {
    if let Err(failure) = check_size(limits, &grant.obligations, &[]) {
        return failure.into_decision();
    }
    let lease = Lease::new(
        grant.ttl_seconds,
        grant.max_ttl_seconds,
        grant.notify_target,
        grant.read_only,
    );
    if lease.ttl_seconds() == 0 {
        return Decision::host_deny(codes::POLICY_ERROR, "policy granted a session of 0 seconds");
    }
    let capped = (lease.ttl_seconds(), lease.max_ttl_seconds()) != (grant.ttl_seconds, grant.max_ttl_seconds);
    let scope = grant.scope.map(|s| {
        Box::new(crate::Scope {
            actions: s.actions,
            resources: s.resources,
        })
    });
    if let Some(Err(e)) = scope.as_deref().map(crate::Scope::check) {
        return Decision::host_deny(codes::POLICY_ERROR, format!("policy granted a malformed scope: {e}"));
    }
    if grant.idle_timeout_seconds == Some(0) {
        return Decision::host_deny(codes::POLICY_ERROR, "policy granted an idle timeout of 0 seconds");
    }
    let mut decision = Decision::Allow(Grant {
        lease: Some(lease),
        obligations: grant.obligations.into_iter().map(Cow::Owned).collect(),
        diagnostics: Vec::new(),
        scope,
        idle_timeout_seconds: grant.idle_timeout_seconds,
    });
    if capped {
        decision.diagnose(format!(
            "policy granted {} s (max {} s); the host caps sessions at {HARD_MAX_TTL_SECONDS} s",
            grant.ttl_seconds, grant.max_ttl_seconds
        ));
    }
    decision
}

/// An approval's answer, checked: an approve is an allow (no grant of its
/// own: the session gets what the pending start granted).
pub(crate) fn approval_decision(limits: &SandboxLimits, answer: wit::ApprovalDecision) -> Decision {
    match answer {
        wit::ApprovalDecision::Approve => Decision::allow_action(Vec::new()),
        wit::ApprovalDecision::Deny(reasons) => deny(limits, reasons),
    }
}

/// An action's answer, checked: size caps, no deny without a reason.
pub(crate) fn action_decision(limits: &SandboxLimits, answer: wit::ActionDecision) -> Decision {
    match answer {
        wit::ActionDecision::Allow(obligations) => match check_size(limits, &obligations, &[]) {
            Ok(()) => Decision::allow_action(obligations.into_iter().map(Name::into_inner).collect()),
            Err(failure) => failure.into_decision(),
        },
        wit::ActionDecision::Deny(reasons) => deny(limits, reasons),
    }
}

fn deny(limits: &SandboxLimits, reasons: Vec<wit::Reason>) -> Decision {
    if let Err(failure) = check_size::<String>(limits, &[], &reasons) {
        return failure.into_decision();
    }
    if reasons.is_empty() {
        return Decision::host_deny(codes::POLICY_ERROR, "policy denied without giving a reason");
    }
    Decision::deny(
        reasons
            .into_iter()
            .map(|r| Reason {
                code: r.code.into_inner(),
                rule: r.rule.into_inner(),
                message: r.message,
            })
            .collect(),
    )
}

/// The response caps: entries and bytes of strings.
fn check_size<S: AsRef<str>>(
    limits: &SandboxLimits,
    obligations: &[S],
    reasons: &[wit::Reason],
) -> Result<(), Failure> {
    let entries = obligations.len() + reasons.len();
    let bytes: usize = obligations.iter().map(|o| o.as_ref().len()).sum::<usize>()
        + reasons
            .iter()
            .map(|r| r.code.len() + r.rule.len() + r.message.len())
            .sum::<usize>();
    if entries > limits.max_response_entries || bytes > limits.max_response_bytes {
        return Err(Failure::new(
            codes::POLICY_ERROR,
            format!(
                "policy answered with {entries} entries and {bytes} bytes, above the caps of {} entries and {} bytes",
                limits.max_response_entries, limits.max_response_bytes
            ),
        ));
    }
    Ok(())
}
