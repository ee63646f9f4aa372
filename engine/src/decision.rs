//! The contract's Decision: what every question to a policy returns.
//!
//! A refusal by the policy and a failure of the policy look the same to the
//! caller, a deny with reasons, because both must stop the impersonation
//! (fail closed). Host failures carry the `host` rule and one of the `policy-*`
//! or `invalid-request` codes, plus diagnostics for operators.

use serde::{Deserialize, Serialize};

/// Reason codes the host itself emits (CONTRACT.md, "Reason codes").
pub mod codes {
    /// The policy trapped (panic, stack overflow, bad output, ...).
    pub const POLICY_ERROR: &str = "policy-error";
    /// The policy ran past its deadline.
    pub const POLICY_TIMEOUT: &str = "policy-timeout";
    /// The policy tried to grow its memory past the cap.
    pub const POLICY_MEMORY: &str = "policy-memory";
    /// The tenant's policy could not be loaded.
    pub const POLICY_UNAVAILABLE: &str = "policy-unavailable";
    /// The request was malformed or over a size cap.
    pub const INVALID_REQUEST: &str = "invalid-request";
    /// The rule of every host reason.
    pub const HOST_RULE: &str = "host";
}

/// Allow or deny; a start may also be pending (allowed once approved).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Allow,
    Deny,
    /// A start allowed once one of its approvers approves it.
    Pending,
}

/// Who may answer a pending start (the contract's `approvers`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approvers {
    /// A second person holding one of these roles may approve.
    pub roles: Vec<String>,
    /// The target may approve.
    pub target: bool,
    /// How long the request waits for an answer.
    pub ttl_seconds: u64,
}

/// One reason of a deny.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub code: String,
    pub rule: String,
    pub message: String,
}

impl Reason {
    /// A reason of the host itself.
    pub fn host(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_string(),
            rule: codes::HOST_RULE.to_string(),
            message: message.into(),
        }
    }
}

/// A policy's answer, in the contract's JSON form.
///
/// A start allow carries `ttl_seconds`, `max_ttl_seconds`, `notify_target`,
/// `read_only` and `obligations`; a pending start carries the same and
/// `approvers`; an action allow carries `obligations` only; a deny carries
/// every reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub decision: Verdict,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_seconds: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_ttl_seconds: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify_target: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub obligations: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approvers: Option<Box<Approvers>>,
    #[serde(default)]
    pub reasons: Vec<Reason>,
    /// For operators: what went wrong inside the host or the policy (a trap
    /// message, a cap that was hit). Never part of the verdict.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diagnostics: Vec<String>,
}

impl Decision {
    /// A deny for these reasons.
    pub fn deny(reasons: Vec<Reason>) -> Self {
        Self {
            decision: Verdict::Deny,
            ttl_seconds: None,
            max_ttl_seconds: None,
            notify_target: None,
            read_only: None,
            obligations: None,
            approvers: None,
            reasons,
            diagnostics: Vec::new(),
        }
    }

    /// A deny by the host, with one reason and a diagnostic.
    pub fn host_deny(code: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut decision = Self::deny(vec![Reason::host(code, message.clone())]);
        decision.diagnostics.push(message);
        decision
    }

    /// An action allow with these obligations.
    pub fn allow_action(obligations: Vec<String>) -> Self {
        Self {
            decision: Verdict::Allow,
            obligations: Some(obligations),
            ..Self::deny(Vec::new())
        }
    }

    pub fn is_allow(&self) -> bool {
        self.decision == Verdict::Allow
    }

    /// A start allowed once approved.
    pub fn is_pending(&self) -> bool {
        self.decision == Verdict::Pending
    }

    /// Allowed now or once approved: not a deny.
    pub fn is_granted(&self) -> bool {
        self.decision != Verdict::Deny
    }

    /// The reason codes, in order.
    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.reasons.iter().map(|r| r.code.as_str())
    }

    /// One JSON line.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| r#"{"decision":"deny","reasons":[]}"#.to_string())
    }
}

/// Which policy decided: a tenant's policy version and the component's digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRef {
    /// 0 is the built-in policy with its defaults (a tenant that never stored a policy).
    pub version: u32,
    pub digest: String,
}
