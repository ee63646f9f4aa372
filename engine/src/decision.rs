//! The contract's Decision: what every question to a policy returns.
//!
//! A refusal by the policy and a failure of the policy look the same to the
//! caller, a deny with reasons, because both must stop the impersonation
//! (fail closed). Host failures carry the `host` rule and one of the `policy-*`
//! or `invalid-request` codes, plus diagnostics for operators.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Reason codes the host itself emits (docs/contract.md, "Reason codes").
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

/// One reason of a deny. A code and a rule are usually words of the
/// contract, kept once and borrowed (`Cow::Borrowed`) rather than copied
/// per deny; anything else a policy says is owned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub code: Cow<'static, str>,
    pub rule: Cow<'static, str>,
    pub message: String,
}

impl Reason {
    /// A reason of the host itself.
    pub fn host(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: Cow::Owned(code.to_string()),
            rule: Cow::Borrowed(codes::HOST_RULE),
            message: message.into(),
        }
    }
}

/// A policy's answer, as the host acts on it: an allow carries a grant, a
/// pending start a grant and who may approve it, a deny its reasons. Each
/// shape holds only what it can mean, so the host reads a start's length
/// from its [`Lease`] (already capped at [`crate::HARD_MAX_TTL_SECONDS`]
/// when the engine read the policy's answer) and never from an optional
/// field.
///
/// In JSON it is the contract's Decision, one flat object (see
/// [`form::DecisionForm`]): a start allow carries `ttl_seconds`,
/// `max_ttl_seconds`, `notify_target`, `read_only` and `obligations`; a
/// pending start the same and `approvers`; an action allow `obligations`
/// only; a deny every reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "form::DecisionForm", from = "form::DecisionForm")]
pub enum Decision {
    Allow(Grant),
    /// A start allowed once one of its approvers approves it.
    Pending(Grant, Box<Approvers>),
    Deny(Denial),
}

/// What an allow grants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grant {
    /// A start's session; `None` for an action or an approval.
    pub lease: Option<Lease>,
    /// What the platform must do. Usually words of the contract
    /// (`deliver-to-target`, ...) borrowed from the host's table as the
    /// answer is lifted, so an allow allocates no string for them.
    pub obligations: Vec<Cow<'static, str>>,
    /// What a start's session may do (SC1): the policy's grant, or what
    /// the start asked for when the grant names none; `None`: anything
    /// the policy allows. Never wider than what the start asked for.
    /// Boxed: most grants have none, and a decision stays small.
    pub scope: Option<Box<crate::Scope>>,
    /// A start's idle timeout, in seconds, when the policy grants one.
    pub idle_timeout_seconds: Option<u64>,
    /// For operators (a grant the host capped). Never part of the verdict.
    pub diagnostics: Vec<String>,
}

impl Grant {
    /// The obligations as owned strings, for a record that keeps them (a
    /// session, an audit row).
    pub fn obligations_owned(&self) -> Vec<String> {
        self.obligations.iter().map(|o| o.to_string()).collect()
    }
}

/// The session a start grants, within the host's cap: made only by
/// [`Lease::new`], the one place the 24 h ceiling of S1 is applied to a
/// grant, so no reader of a lease caps it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease {
    ttl_seconds: u64,
    max_ttl_seconds: u64,
    notify_target: bool,
    read_only: bool,
}

impl Lease {
    /// A session of `ttl_seconds`, extensible to `max_ttl_seconds`, both
    /// capped at [`crate::HARD_MAX_TTL_SECONDS`] and the length at the
    /// ceiling.
    pub fn new(ttl_seconds: u64, max_ttl_seconds: u64, notify_target: bool, read_only: bool) -> Self {
        let max_ttl_seconds = max_ttl_seconds.min(crate::HARD_MAX_TTL_SECONDS);
        Self {
            ttl_seconds: ttl_seconds.min(max_ttl_seconds),
            max_ttl_seconds,
            notify_target,
            read_only,
        }
    }

    pub fn ttl_seconds(&self) -> u64 {
        self.ttl_seconds
    }

    /// How far extensions may take the session (S1).
    pub fn max_ttl_seconds(&self) -> u64 {
        self.max_ttl_seconds
    }

    pub fn notify_target(&self) -> bool {
        self.notify_target
    }

    pub fn read_only(&self) -> bool {
        self.read_only
    }
}

/// Why not: every reason, and for operators what went wrong inside the
/// host or the policy (a trap message, a cap that was hit).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Denial {
    pub reasons: Vec<Reason>,
    pub diagnostics: Vec<String>,
}

impl Decision {
    /// A deny for these reasons.
    pub fn deny(reasons: Vec<Reason>) -> Self {
        Self::Deny(Denial {
            reasons,
            diagnostics: Vec::new(),
        })
    }

    /// A deny by the host, with one reason and a diagnostic.
    pub fn host_deny(code: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::Deny(Denial {
            reasons: vec![Reason::host(code, message.clone())],
            diagnostics: vec![message],
        })
    }

    /// An action allow with these obligations.
    pub fn allow_action(obligations: Vec<Cow<'static, str>>) -> Self {
        Self::Allow(Grant {
            lease: None,
            obligations,
            ..Grant::default()
        })
    }

    pub fn verdict(&self) -> Verdict {
        match self {
            Self::Allow(_) => Verdict::Allow,
            Self::Pending(..) => Verdict::Pending,
            Self::Deny(_) => Verdict::Deny,
        }
    }

    pub fn is_allow(&self) -> bool {
        matches!(self, Self::Allow(_))
    }

    /// A start allowed once approved.
    pub fn is_pending(&self) -> bool {
        matches!(self, Self::Pending(..))
    }

    /// Allowed now or once approved: not a deny.
    pub fn is_granted(&self) -> bool {
        !matches!(self, Self::Deny(_))
    }

    /// The grant of an allow or a pending start.
    pub fn grant(&self) -> Option<&Grant> {
        match self {
            Self::Allow(g) | Self::Pending(g, _) => Some(g),
            Self::Deny(_) => None,
        }
    }

    /// The session a start grants (allowed or pending).
    pub fn lease(&self) -> Option<Lease> {
        self.grant().and_then(|g| g.lease)
    }

    /// Who may approve a pending start.
    pub fn approvers(&self) -> Option<&Approvers> {
        match self {
            Self::Pending(_, a) => Some(a),
            _ => None,
        }
    }

    /// The obligations of a grant; none for a deny.
    pub fn obligations(&self) -> &[Cow<'static, str>] {
        self.grant().map_or(&[], |g| &g.obligations)
    }

    /// The reasons of a deny; none for a grant.
    pub fn reasons(&self) -> &[Reason] {
        match self {
            Self::Deny(d) => &d.reasons,
            _ => &[],
        }
    }

    /// The reason codes, in order.
    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.reasons().iter().map(|r| r.code.as_ref())
    }

    pub fn diagnostics(&self) -> &[String] {
        match self {
            Self::Allow(g) | Self::Pending(g, _) => &g.diagnostics,
            Self::Deny(d) => &d.diagnostics,
        }
    }

    /// Adds a note for operators.
    pub fn diagnose(&mut self, note: impl Into<String>) {
        match self {
            Self::Allow(g) | Self::Pending(g, _) => g.diagnostics.push(note.into()),
            Self::Deny(d) => d.diagnostics.push(note.into()),
        }
    }

    /// One JSON line.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| r#"{"decision":"deny","reasons":[]}"#.to_string())
    }
}

pub mod form {
    //! The contract's JSON form of a [`Decision`]: one flat object whose
    //! fields are present as its verdict says. Written exactly as it was
    //! before the typed form, field for field, so answers, recorded
    //! decisions and clients see no change.

    use super::{Approvers, Decision, Denial, Grant, Lease, Reason, Verdict};
    use serde::{Deserialize, Serialize};
    use std::borrow::Cow;

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct DecisionForm {
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
        pub obligations: Option<Vec<Cow<'static, str>>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub approvers: Option<Box<Approvers>>,
        /// A start's granted scope (SC1), when it has one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub scope: Option<crate::Scope>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub idle_timeout_seconds: Option<u64>,
        #[serde(default)]
        pub reasons: Vec<Reason>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub diagnostics: Vec<String>,
    }

    impl From<Decision> for DecisionForm {
        fn from(d: Decision) -> Self {
            let empty = |decision| Self {
                decision,
                ttl_seconds: None,
                max_ttl_seconds: None,
                notify_target: None,
                read_only: None,
                obligations: None,
                approvers: None,
                scope: None,
                idle_timeout_seconds: None,
                reasons: Vec::new(),
                diagnostics: Vec::new(),
            };
            let granted = |verdict, g: Grant, approvers| {
                let lease = g.lease;
                Self {
                    ttl_seconds: lease.map(|l| l.ttl_seconds),
                    max_ttl_seconds: lease.map(|l| l.max_ttl_seconds),
                    notify_target: lease.map(|l| l.notify_target),
                    read_only: lease.map(|l| l.read_only),
                    obligations: Some(g.obligations),
                    approvers,
                    scope: g.scope.map(|s| *s),
                    idle_timeout_seconds: g.idle_timeout_seconds,
                    diagnostics: g.diagnostics,
                    ..empty(verdict)
                }
            };
            match d {
                Decision::Allow(g) => granted(Verdict::Allow, g, None),
                Decision::Pending(g, a) => granted(Verdict::Pending, g, Some(a)),
                Decision::Deny(d) => Self {
                    reasons: d.reasons,
                    diagnostics: d.diagnostics,
                    ..empty(Verdict::Deny)
                },
            }
        }
    }

    impl From<DecisionForm> for Decision {
        /// A form the host wrote reads back as it was; a pending form with
        /// no approvers reads as a deny-free pending with nobody to ask,
        /// which nobody can approve.
        fn from(f: DecisionForm) -> Self {
            let lease = f.ttl_seconds.map(|ttl| {
                Lease::new(
                    ttl,
                    f.max_ttl_seconds.unwrap_or(ttl),
                    f.notify_target.unwrap_or(true),
                    f.read_only.unwrap_or(false),
                )
            });
            let grant = Grant {
                lease,
                obligations: f.obligations.unwrap_or_default(),
                diagnostics: f.diagnostics.clone(),
                scope: f.scope.clone().map(Box::new),
                idle_timeout_seconds: f.idle_timeout_seconds,
            };
            match f.decision {
                Verdict::Allow => Decision::Allow(grant),
                Verdict::Pending => Decision::Pending(
                    grant,
                    f.approvers.unwrap_or_else(|| {
                        Box::new(Approvers {
                            roles: Vec::new(),
                            target: false,
                            ttl_seconds: 0,
                        })
                    }),
                ),
                Verdict::Deny => Decision::Deny(Denial {
                    reasons: f.reasons,
                    diagnostics: f.diagnostics,
                }),
            }
        }
    }
}

/// Which policy decided: a tenant's policy version and the component's digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRef {
    /// 0 is the built-in policy with its defaults (a tenant that never stored a policy).
    pub version: u32,
    pub digest: String,
}
