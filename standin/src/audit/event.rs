//! One audit event, in the contract's JSON form, and the names of the
//! events. The store chains them (`seq`, `prev_hash`, `hash`: see
//! [`super::chain`]); the session layer makes them.

use super::Seal;
use crate::decision::PolicyRef;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One audit event (docs/contract.md "Audit event").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// Per tenant, from 1, without gaps. Assigned by the store.
    pub seq: u64,
    pub tenant: String,
    pub at: DateTime<Utc>,
    pub event: String,
    pub session: Option<String>,
    pub actor: String,
    pub target: String,
    pub action: Option<String>,
    pub resource: Option<String>,
    pub reason: Option<String>,
    pub codes: Vec<String>,
    pub end_reason: Option<String>,
    pub policy: PolicyRef,
    /// Additions: the deadline (started, extended), obligations (allows),
    /// a free note (revoke reason, policy error message).
    pub expires_at: Option<DateTime<Utc>>,
    pub obligations: Option<Vec<String>>,
    pub note: Option<String>,
    /// The request the policy saw, as JSON text (for replay).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub request: Option<String>,
    pub prev_hash: String,
    pub hash: String,
    /// How the row is stored and chained (not part of the JSON forms).
    #[serde(skip)]
    pub seal: Seal,
}

impl AuditEvent {
    /// Puts back the request the policy saw from the row's facts, as read
    /// from a store (a row that stores both facts and text keeps its text:
    /// `audit verify` compares them).
    pub fn restore_request(&mut self) {
        if self.request.is_none()
            && let Some(f) = &self.seal.facts
        {
            self.request = Some(super::action_request_json(
                &self.tenant,
                &f.body,
                self.action.as_deref(),
                self.resource.as_deref(),
                self.at,
            ));
        }
    }
}

/// The audit events.
pub mod events {
    pub const SESSION_STARTED: &str = "session.started";
    pub const SESSION_DENIED: &str = "session.denied";
    pub const SESSION_EXTENDED: &str = "session.extended";
    pub const SESSION_ENDED: &str = "session.ended";
    pub const ACTION_ALLOWED: &str = "action.allowed";
    pub const ACTION_DENIED: &str = "action.denied";
    pub const POLICY_ERROR: &str = "policy.error";
    /// A policy version was stored (see [`StoredPolicy::uploaded_event`](crate::policies::StoredPolicy::uploaded_event)).
    pub const POLICY_UPLOADED: &str = "policy.uploaded";
    /// A start waits for approval (the session is `pending`).
    pub const SESSION_REQUESTED: &str = "session.requested";
    /// A pending start was approved: the session is active from then.
    pub const SESSION_APPROVED: &str = "session.approved";
    /// Someone the policy (or the host) does not let answer a pending
    /// start tried to; the request keeps waiting.
    pub const APPROVAL_DENIED: &str = "approval.denied";
    /// A generic AuthZEN question was allowed (no session: the subject is
    /// the actor, the resource `type:id`).
    pub const AUTHZEN_ALLOWED: &str = "authzen.allowed";
    /// A generic AuthZEN question was denied, or could not be answered
    /// (`codes` then holds why).
    pub const AUTHZEN_DENIED: &str = "authzen.denied";
    /// Every event, in the contract's order, then Standin's own.
    pub const ALL: [&str; 13] = [
        SESSION_STARTED,
        SESSION_DENIED,
        SESSION_EXTENDED,
        SESSION_ENDED,
        ACTION_ALLOWED,
        ACTION_DENIED,
        POLICY_ERROR,
        POLICY_UPLOADED,
        SESSION_REQUESTED,
        SESSION_APPROVED,
        APPROVAL_DENIED,
        AUTHZEN_ALLOWED,
        AUTHZEN_DENIED,
    ];
}
