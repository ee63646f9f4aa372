//! What a policy answers.
//!
//! A refusal is a value, not an error: it lists every failing rule with a
//! stable code (E9). Errors of the policy itself (a panic, a loop) are the
//! host's business and never reach these types.

use alloc::string::String;
use alloc::vec::Vec;

/// One reason for a refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// Stable code, e.g. `target-level-not-lower`.
    pub code: String,
    /// Requirement id, e.g. `E4`.
    pub rule: String,
    /// For people.
    pub message: String,
}

/// What a start allow grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub ttl_seconds: u64,
    pub max_ttl_seconds: u64,
    pub notify_target: bool,
    pub read_only: bool,
    pub obligations: Vec<String>,
    /// What the session may do; `None`: what the start asked for, or
    /// everything this policy allows when it asked for none. The host
    /// never grants more than the start asked for, whatever this says.
    pub scope: Option<Scope>,
    /// The session ends (`idle`) after this many seconds without an
    /// action; `None`: only at its expiry.
    pub idle_timeout_seconds: Option<u64>,
}

/// What a session may do: actions matching one of `actions` (patterns),
/// on one of `resources` when there are any (none: any resource).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub actions: Vec<String>,
    pub resources: Vec<String>,
}

/// Who may answer a start that needs approval. The host never lets the
/// actor answer, whatever a policy says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approvers {
    /// A second person holding one of these roles may approve.
    pub roles: Vec<String>,
    /// The target may approve (consent).
    pub target: bool,
    /// How long the request waits for an answer, in seconds.
    pub ttl_seconds: u64,
}

/// The answer to a start request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartDecision {
    Allow(Grant),
    /// Allowed once one of the approvers approves: the session gets the
    /// grant from then on ([`Policy::evaluate_approval`](crate::Policy::evaluate_approval)
    /// says who may).
    Pending(Grant, Approvers),
    Deny(Vec<Reason>),
}

/// Whether an approver may answer (approve or reject) a pending start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApprovalDecision {
    Approve,
    Deny(Vec<Reason>),
}

/// The answer to an action request: obligations when allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionDecision {
    Allow(Vec<String>),
    Deny(Vec<Reason>),
}

impl StartDecision {
    /// A deny for one reason.
    pub fn refuse(code: &str, rule: &str, message: impl Into<String>) -> Self {
        let mut reasons = Reasons::new();
        reasons.push(code, rule, message);
        Self::Deny(reasons.0)
    }
}

impl ApprovalDecision {
    /// A deny for one reason.
    pub fn refuse(code: &str, rule: &str, message: impl Into<String>) -> Self {
        let mut reasons = Reasons::new();
        reasons.push(code, rule, message);
        Self::Deny(reasons.0)
    }
}

impl ActionDecision {
    /// A deny for one reason.
    pub fn refuse(code: &str, rule: &str, message: impl Into<String>) -> Self {
        let mut reasons = Reasons::new();
        reasons.push(code, rule, message);
        Self::Deny(reasons.0)
    }
}

/// `s` in a `String` of its size, copied without a `memcpy` call (a
/// `memory.copy`, a call out to the host, in a guest).
fn copied(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    standin_wire::append(&mut out, s);
    out
}

/// Collects every failing rule of one request.
#[derive(Debug, Clone, Default)]
pub struct Reasons(Vec<Reason>);

impl Reasons {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a failing rule.
    pub fn push(&mut self, code: &str, rule: &str, message: impl Into<String>) {
        self.0.push(Reason {
            code: copied(code),
            rule: copied(rule),
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing failed, else every reason.
    pub fn into_result(self) -> Result<(), Vec<Reason>> {
        if self.0.is_empty() { Ok(()) } else { Err(self.0) }
    }
}
