//! A session as the store keeps it: its state, why it ended, its approval.
//! Plain data, in the contract's JSON form; the transitions that change it
//! are in [`crate::sessions`], where each becomes one store change.

use crate::decision::Approvers;
use crate::decision::PolicyRef;
use crate::request::Principal;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// `active` or `ended`; `pending` while a start waits for approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionState {
    Active,
    Ended,
    /// Waiting for approval: nothing may be done in it yet.
    Pending,
}

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EndReason {
    /// The actor ended it (S2).
    Stopped,
    /// It reached its deadline (S3).
    Expired,
    /// Someone else ended it, with a reason.
    Revoked,
    /// An approver turned the request down (approval).
    Rejected,
    /// Nobody answered the request in time (approval).
    #[serde(rename = "approval-expired")]
    ApprovalExpired,
}

impl EndReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Stopped => "stopped",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
            Self::Rejected => "rejected",
            Self::ApprovalExpired => "approval-expired",
        }
    }

    /// The reason [`Self::as_str`] names; `None` for any other text.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Stopped,
            Self::Expired,
            Self::Revoked,
            Self::Rejected,
            Self::ApprovalExpired,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

impl SessionState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Ended => "ended",
            Self::Pending => "pending",
        }
    }

    /// The state [`Self::as_str`] names; `None` for any other text.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Active, Self::Ended, Self::Pending]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// A start that waited for approval: who may answer, what the session
/// gets once approved (counted from the approval), and who approved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    pub approvers: Approvers,
    /// Granted length, from the approval.
    pub ttl_seconds: u64,
    /// Ceiling for extensions, from the approval.
    pub max_ttl_seconds: u64,
    pub requested_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_at: Option<DateTime<Utc>>,
}

/// An impersonation session (docs/contract.md "Session"), with what the host
/// needs to re-evaluate its actions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionRecord {
    pub id: String,
    pub tenant: String,
    pub actor: String,
    pub target: String,
    pub reason: Option<String>,
    pub domain: Option<String>,
    pub read_only: bool,
    pub started_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub max_expires_at: DateTime<Utc>,
    pub state: SessionState,
    pub ended_at: Option<DateTime<Utc>>,
    pub end_reason: Option<EndReason>,
    pub return_to: Option<String>,
    pub policy: PolicyRef,
    /// Additions to the contract's form.
    pub notify_target: bool,
    pub obligations: Vec<String>,
    /// Why it was revoked.
    pub revoke_reason: Option<String>,
    /// The actor's session this one was started from, when the policy allows nesting.
    pub parent: Option<String>,
    /// 0 for a session started outside any other; parent's depth + 1 when nested.
    pub depth: u32,
    /// The approval it waits for (`pending`) or got; `None` when the start
    /// needed none. While pending, `started_at` is when it was asked and
    /// `expires_at` when the request expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approval: Option<Approval>,
    /// The principals as the platform sent them at start.
    #[serde(skip)]
    pub actor_principal: Principal,
    #[serde(skip)]
    pub target_principal: Principal,
}

impl SessionRecord {
    pub fn is_active(&self) -> bool {
        self.state == SessionState::Active
    }

    /// Waiting for approval.
    pub fn is_pending(&self) -> bool {
        self.state == SessionState::Pending
    }

    /// Active or pending: not ended yet.
    pub fn is_open(&self) -> bool {
        self.state != SessionState::Ended
    }

    /// When it ends by itself: its `expires_at`, and never more than 24 h
    /// after its start (S1), whatever the row says (a host invariant no
    /// stored column can widen); a pending one's is its request's expiry.
    pub fn deadline(&self) -> DateTime<Utc> {
        if self.is_pending() {
            return self.expires_at;
        }
        let cap = self.started_at + chrono::TimeDelta::seconds(standin_engine::HARD_MAX_TTL_SECONDS as i64);
        self.expires_at.min(cap)
    }

    /// Open but at or past its [deadline](Self::deadline): due to be
    /// recorded as expired (a pending one, as `approval-expired`).
    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        self.is_open() && now >= self.deadline()
    }
}
