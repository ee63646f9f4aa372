//! The records the store keeps and the session logic reads: sessions,
//! audit events, the changes that write them, and the filters that read
//! them. Plain data, in the contract's JSON form where it has one.

use super::PolicyRef;
use super::{AuditEvent, NewMessage, OutboxMessage, StoredPolicy};
use crate::decision::Approvers;
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

/// An impersonation session (CONTRACT.md "Session"), with what the host
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

/// What one transaction writes: at most one session row (new or updated),
/// audit events (the store assigns `seq`, `prev_hash` and `hash`) and
/// outbox messages.
#[derive(Debug, Clone, Default)]
pub struct Change {
    pub insert: Option<SessionRecord>,
    /// The session row as it is after the change: its state, end, expiry,
    /// revoke reason and principals are written, and, when an approval
    /// starts it, its start, ceiling, parent, depth and approval (its other
    /// fields never change).
    pub update: Option<SessionRecord>,
    pub audit: Vec<AuditEvent>,
    pub outbox: Vec<NewMessage>,
}

impl Change {
    pub fn is_empty(&self) -> bool {
        self.insert.is_none() && self.update.is_none() && self.audit.is_empty() && self.outbox.is_empty()
    }
}

/// What a [`Change`] became: the audit events as chained, the messages with their ids.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    pub audit: Vec<AuditEvent>,
    pub outbox: Vec<OutboxMessage>,
    /// The session row as written (inserted, else updated): its times are
    /// the chain's, which may be later than the change said (see
    /// [`crate::integrity::Integrity::stamp`]).
    pub session: Option<SessionRecord>,
}

/// One tenant's audit chain (by `seq`), sessions (newest first) and
/// policy versions (oldest first): [`AuditStore::trail`](super::AuditStore::trail).
#[derive(Debug, Clone, Default)]
pub struct Trail {
    pub events: Vec<AuditEvent>,
    pub sessions: Vec<SessionRecord>,
    pub policies: Vec<StoredPolicy>,
    /// Rows whose tag the store's key does not make (`session `s-1``,
    /// `policy version 2`, ...): forged or edited (see [`crate::integrity`]).
    pub unauthenticated: Vec<String>,
    /// The chain head the store keeps beside the events (`seq`, `hash`), if
    /// it keeps one (PostgreSQL's `chain_heads`): it must be the last
    /// event's, or rows were cut off the tail.
    pub recorded_head: Option<(u64, String)>,
}

/// Filters of `audit query` (A4). Every given field must match; `since` is
/// inclusive, `until` exclusive.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub tenant: Option<String>,
    pub actor: Option<String>,
    pub target: Option<String>,
    pub event: Option<String>,
    pub session: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Only events after this `seq` (a page's cursor; with a `tenant`,
    /// whose chain the `seq` numbers).
    pub after_seq: Option<u64>,
    /// At most this many events (a page), in the usual order.
    pub limit: Option<usize>,
}
