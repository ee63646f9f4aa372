//! A session as the store keeps it: its state, why it ended, its approval,
//! and every transition of its state machine, as pure functions of a
//! record and a time:
//!
//! ```text
//!  start ──allow──▶ active ──end/revoke/expire──▶ ended
//!    └──pending──▶ pending ──approve──▶ active
//!                     └──reject/approval-expired──▶ ended
//! ```
//!
//! [`SessionRecord::opened`] makes a session from a granted start;
//! [`SessionRecord::approved`], [`SessionRecord::extended`] and
//! [`SessionRecord::ended`] are the only places its state, times or end
//! change after that; [`crate::sessions`] asks the policy,
//! turns each result into one store change (the row, its audit event, the
//! target's message) and commits it. Nothing here reads a clock or a
//! store.

use crate::decision::PolicyRef;
use crate::decision::{Approvers, Grant, Lease};
use crate::request::{Principal, StartRequest};
use chrono::{DateTime, TimeDelta, Utc};
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
    /// No action for its idle timeout (IT1).
    Idle,
}

impl EndReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Stopped => "stopped",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
            Self::Rejected => "rejected",
            Self::ApprovalExpired => "approval-expired",
            Self::Idle => "idle",
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
            Self::Idle,
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
    /// What the session may do (SC1, SC2): the granted scope; `None`:
    /// whatever the policy allows. The host denies anything outside it
    /// (`outside-session-scope`) before a policy is asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<standin_engine::Scope>,
    /// The session ends (`idle`) after this many seconds without an action
    /// (IT1); `None`: only at `expires_at`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idle_timeout_seconds: Option<u64>,
    /// When its last action was recorded (IT1): the newest `action.*` row
    /// of its audit chain, as the store read it; the audit row is the
    /// activity record, so an action costs no write of the session's row.
    /// Not part of the row (nor of its tag).
    #[serde(skip)]
    pub last_action_at: Option<DateTime<Utc>>,
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
        self.deadline_seen(None)
    }

    /// [`Self::deadline`], counting `seen`, a later action than the store
    /// knew of when it read this row (see [`Self::idle_deadline`]).
    pub fn deadline_seen(&self, seen: Option<DateTime<Utc>>) -> DateTime<Utc> {
        match self.idle_deadline(seen) {
            Some(idle) => idle.min(self.hard_deadline()),
            None => self.hard_deadline(),
        }
    }

    /// [`Self::deadline`] without the idle timeout: its expiry.
    pub fn hard_deadline(&self) -> DateTime<Utc> {
        if self.is_pending() {
            return self.expires_at;
        }
        let cap = self.started_at + TimeDelta::seconds(standin_engine::HARD_MAX_TTL_SECONDS as i64);
        self.expires_at.min(cap)
    }

    /// When an active session with an idle timeout ends for want of an
    /// action (IT1): its timeout after its last action (or its start),
    /// counting `seen`, a later action this process knows of.
    pub fn idle_deadline(&self, seen: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
        let timeout = self.idle_timeout_seconds.filter(|_| self.is_active())?;
        let last = [Some(self.started_at), self.last_action_at, seen]
            .into_iter()
            .flatten()
            .max()?;
        Some(last + TimeDelta::seconds(timeout.min(standin_engine::HARD_MAX_TTL_SECONDS) as i64))
    }

    /// Open but at or past its [deadline](Self::deadline): due to be
    /// recorded as expired (a pending one, as `approval-expired`).
    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        self.is_open() && now >= self.deadline()
    }

    /// [`Self::is_due`], counting `seen` (see [`Self::deadline_seen`]).
    pub fn is_due_seen(&self, now: DateTime<Utc>, seen: Option<DateTime<Utc>>) -> bool {
        self.is_open() && now >= self.deadline_seen(seen)
    }

    /// The session a granted start opens at `o.at`: active for its lease,
    /// or pending (waiting for its approvers until `expires_at`; its clock
    /// starts at the approval, [`Self::approved`]). A grant without a lease
    /// (never from the engine) opens the shortest session.
    pub fn opened(o: Opening<'_>) -> Self {
        let lease = o.grant.lease.unwrap_or_else(|| Lease::new(1, 1, true, true));
        // Capped by the lease itself (S1), and never 0 seconds.
        let max = lease.max_ttl_seconds();
        let ttl = lease.ttl_seconds().max(1);
        let approval = o.approvers.cloned().map(|approvers| Approval {
            approvers,
            ttl_seconds: ttl,
            max_ttl_seconds: max.max(ttl),
            requested_at: o.at,
            approved_by: None,
            approved_at: None,
        });
        let (expires_at, max_expires_at) = match &approval {
            Some(a) => {
                let wait = o.at + TimeDelta::seconds(a.approvers.ttl_seconds as i64);
                (wait, wait)
            }
            None => (
                o.at + TimeDelta::seconds(ttl as i64),
                o.at + TimeDelta::seconds(max.max(ttl) as i64),
            ),
        };
        let req = o.request;
        Self {
            id: o.id,
            tenant: req.tenant.clone(),
            actor: req.actor.id.clone(),
            target: req.target.id.clone(),
            reason: req.reason.clone(),
            domain: req.domain.clone(),
            read_only: lease.read_only(),
            started_at: o.at,
            expires_at,
            max_expires_at,
            state: if approval.is_some() {
                SessionState::Pending
            } else {
                SessionState::Active
            },
            ended_at: None,
            end_reason: None,
            return_to: o.return_to.map(str::to_string),
            policy: o.policy.clone(),
            notify_target: lease.notify_target(),
            obligations: o.grant.obligations_owned(),
            revoke_reason: None,
            parent: o.parent.map(|c| c.id.clone()),
            depth: o.parent.map_or(0, |c| c.depth + 1),
            approval,
            scope: o.grant.scope.as_deref().cloned(),
            idle_timeout_seconds: o.grant.idle_timeout_seconds,
            last_action_at: None,
            actor_principal: req.actor.clone(),
            target_principal: req.target.clone(),
        }
    }

    /// The note of its `session.started` (or `session.requested`) event
    /// when it is scoped: `scope {"actions": [...], ...}`, so the chain
    /// holds the scope granted (the event's request holds the one asked
    /// for), and `audit verify` finds a row whose scope differs.
    pub fn scope_note(&self) -> Option<String> {
        let scope = self.scope.as_ref()?;
        Some(format!("scope {}", serde_json::to_string(scope).unwrap_or_default()))
    }

    /// How it ends by itself at its deadline: `expired`, or
    /// `approval-expired` for a request nobody answered.
    pub fn expiry_reason(&self) -> EndReason {
        if self.is_pending() {
            EndReason::ApprovalExpired
        } else if self.idle_deadline(None).is_some_and(|idle| idle < self.hard_deadline()) {
            EndReason::Idle
        } else {
            EndReason::Expired
        }
    }

    /// This session ended by `reason` at `at`; `note` is kept as the
    /// revoke reason of a revoke or a rejection.
    pub fn ended(&self, reason: EndReason, at: DateTime<Utc>, note: Option<&str>) -> Self {
        let mut ended = self.clone();
        ended.state = SessionState::Ended;
        ended.ended_at = Some(at);
        ended.end_reason = Some(reason);
        if matches!(reason, EndReason::Revoked | EndReason::Rejected) {
            ended.revoke_reason = note.map(str::to_string);
        }
        ended
    }

    /// This pending session active from `at`, approved by `approver`, one
    /// level inside the actor's `parent` session if any: it gets what the
    /// pending start granted, counted from the approval.
    pub fn approved(&self, approver: &str, parent: Option<&SessionRecord>, at: DateTime<Utc>) -> Self {
        let mut started = self.clone();
        let (ttl, max_ttl) = self
            .approval
            .as_ref()
            .map_or((1, 1), |a| (a.ttl_seconds, a.max_ttl_seconds.max(a.ttl_seconds)));
        started.state = SessionState::Active;
        started.started_at = at;
        started.expires_at = at + TimeDelta::seconds(ttl as i64);
        started.max_expires_at = at + TimeDelta::seconds(max_ttl as i64);
        started.parent = parent.map(|c| c.id.clone());
        started.depth = parent.map_or(0, |c| c.depth + 1);
        if let Some(a) = &mut started.approval {
            a.approved_by = Some(approver.to_string());
            a.approved_at = Some(at);
        }
        started
    }

    /// This session extended at `now` by `granted` seconds: never past the
    /// ceiling granted at start nor 24 h after the start (S1), whatever the
    /// row says, and never shorter than it is (then its deadline is kept).
    pub fn extended(&self, granted: u64, now: DateTime<Utc>) -> Extension {
        let cap = self.started_at + TimeDelta::seconds(standin_engine::HARD_MAX_TTL_SECONDS as i64);
        let proposed = (now + TimeDelta::seconds(granted.min(standin_engine::HARD_MAX_TTL_SECONDS) as i64))
            .min(self.max_expires_at)
            .min(cap);
        let current = self.hard_deadline();
        let mut session = self.clone();
        let kept = proposed < current;
        session.expires_at = if kept { current } else { proposed };
        Extension {
            session,
            proposed,
            kept,
        }
    }
}

/// What a granted start opens a session from ([`SessionRecord::opened`]).
#[derive(Debug)]
pub struct Opening<'a> {
    pub id: String,
    /// The start as the policy saw it.
    pub request: &'a StartRequest,
    pub grant: &'a Grant,
    /// Who must approve it first; `None`: it starts at once.
    pub approvers: Option<&'a Approvers>,
    /// The actor's session it is started from, if any.
    pub parent: Option<&'a SessionRecord>,
    pub policy: &'a PolicyRef,
    pub return_to: Option<&'a str>,
    pub at: DateTime<Utc>,
}

/// What [`SessionRecord::extended`] made of an extension.
#[derive(Debug, Clone)]
pub struct Extension {
    /// The session as extended.
    pub session: SessionRecord,
    /// The deadline the grant asked for, within the caps.
    pub proposed: DateTime<Utc>,
    /// The grant would have shortened the session: its deadline is kept.
    pub kept: bool,
}
