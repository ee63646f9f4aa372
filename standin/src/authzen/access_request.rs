//! The AuthZEN Access Request and Approval profile (draft 1) for a start
//! that needs approval: an AuthZEN start question whose answer is pending
//! is a *requestable denial* (`decision: false`, `context.access_request`);
//! the PEP submits it to the access request endpoint, which starts the
//! session waiting for its approvers; the session is the profile's task,
//! its approval the approval result; and a re-evaluation carrying
//! `context.approval` is answered from the session.
//!
//! Why this shape: a start check stores nothing (anyone with a `decide` key
//! may ask it as often as it likes), so the denial is bound *by value*: a
//! `binding_token`, a JWT the token key signs, carrying the question's
//! subject, resource, action and the context members a start reads. The
//! submission must match it member for member, so a PEP can only ask for
//! the start the policy saw, with the facts it saw, before the denial
//! expires. Nothing is stored until the submission, which is an ordinary
//! start: audited, notified, and waiting for the policy's approvers as any
//! other. Without a token key there is no binding, so no access request is
//! offered (the profile forbids offering one that cannot be bound).

use super::TenantAuthzen;
use crate::model::{EndReason, SessionRecord};
use crate::request::StartRequest;
use crate::sessions::SessionError;
use crate::store::StoreError;
use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The JWT type of a binding token: no other token the key signs is one.
pub const BINDING_TYP: &str = "authzen-binding+jwt";

/// How long a requestable denial may be submitted.
pub const DENIAL_SECONDS: i64 = 600;

/// `context.reason` of a requestable denial.
pub const APPROVAL_REQUIRED: &str = "approval_required";

/// The context members a start question reads: all a binding covers
/// (the profile's "authorization-relevant context").
pub const BOUND_CONTEXT: [&str; 5] = ["reason", "ttl_seconds", "domain", "consent_on_behalf", "scope"];

/// What a binding covers of a start question: its subject, resource and
/// action as asked (less `subject.properties.act`, which the profile lets
/// a PEP move), and the members of [`BOUND_CONTEXT`] it had.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bound {
    pub subject: Value,
    pub resource: Value,
    pub action: Value,
    pub context: Map<String, Value>,
}

impl Bound {
    pub fn new(
        subject: &Map<String, Value>,
        resource: &Map<String, Value>,
        action: &Map<String, Value>,
        context: &Map<String, Value>,
    ) -> Self {
        let mut subject = subject.clone();
        if let Some(Value::Object(p)) = subject.get_mut("properties") {
            p.remove("act");
        }
        Self {
            subject: Value::Object(subject),
            resource: Value::Object(resource.clone()),
            action: Value::Object(action.clone()),
            context: context
                .iter()
                .filter(|(k, v)| BOUND_CONTEXT.contains(&k.as_str()) && !v.is_null())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }
}

/// `context.access_request` and the members beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestableDenial {
    pub evaluation_id: String,
    pub evaluated_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub binding_token: String,
}

/// A binding token's claims.
#[derive(Debug, Serialize, Deserialize)]
struct Binding {
    iss: String,
    aud: String,
    /// The tenant whose access request endpoint takes it, checked there
    /// (`aud` names the same PDP as a URL, for other verifiers).
    tenant: String,
    iat: i64,
    exp: i64,
    jti: String,
    evaluation_id: String,
    denial_expires_at: String,
    binding_context_members: Vec<String>,
    #[serde(flatten)]
    bound: Bound,
}

/// An access request as submitted: what it asks (the start the server
/// read from it, and the bound parts) and the denial it echoes.
#[derive(Debug)]
pub struct Submission<'a> {
    pub start: &'a StartRequest,
    pub bound: Bound,
    /// `denial.binding_token`.
    pub binding_token: &'a str,
    /// `denial.expires_at`, as echoed.
    pub expires_at: &'a str,
}

/// A task's status (the profile's canonical values; see [`Task::of`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum TaskStatus {
    Pending,
    Approved,
    Denied,
    Expired,
    Cancelled,
}

/// An approved task's approval, for `context.approval` at re-evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalResult {
    /// The session's id: what a re-evaluation presents.
    pub id: String,
    pub approved_at: DateTime<Utc>,
    pub approved_until: DateTime<Utc>,
}

/// An access request's task: its session, seen as the profile sees it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Task {
    /// The session's id.
    pub id: String,
    pub status: TaskStatus,
    /// While pending, when the request expires unanswered.
    pub expires_at: Option<DateTime<Utc>>,
    pub approval: Option<ApprovalResult>,
    /// Whether this submission made it (false: the actor's pending request
    /// for the same target, returned again).
    pub created: bool,
}

impl Task {
    /// The task session `s` stands for. Pending until answered; approved
    /// once active (and still approved once ended, its approval valid only
    /// until it ended); denied when rejected; expired when nobody answered
    /// in time; cancelled when revoked or stopped before an answer.
    pub fn of(s: &SessionRecord, now: DateTime<Utc>) -> Self {
        let approved_at = s.approval.as_ref().and_then(|a| a.approved_at);
        let ran = s.approval.is_none() || approved_at.is_some();
        let status = match (s.is_pending(), s.end_reason) {
            (true, _) if s.is_due(now) => TaskStatus::Expired,
            (true, _) => TaskStatus::Pending,
            (false, None) => TaskStatus::Approved,
            (false, Some(EndReason::Rejected)) => TaskStatus::Denied,
            (false, Some(EndReason::ApprovalExpired)) => TaskStatus::Expired,
            (false, Some(_)) if ran => TaskStatus::Approved,
            (false, Some(_)) => TaskStatus::Cancelled,
        };
        let approval = (status == TaskStatus::Approved).then(|| ApprovalResult {
            id: s.id.clone(),
            approved_at: approved_at.unwrap_or(s.started_at),
            approved_until: s.ended_at.unwrap_or_else(|| s.deadline()).min(s.deadline()),
        });
        Self {
            id: s.id.clone(),
            status,
            expires_at: s.is_pending().then_some(s.expires_at),
            approval,
            created: false,
        }
    }
}

/// Why an access request or a task lookup failed: the profile's problem
/// types, and a failure of the host.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AccessRequestError {
    /// `not_requestable`: the policy no longer answers "pending", or no
    /// token key signs bindings here.
    #[error("{0}")]
    NotRequestable(String),
    /// `invalid_denial_binding`.
    #[error("{0}")]
    InvalidBinding(String),
    /// `expired_denial`.
    #[error("the requestable denial expired at {0}")]
    ExpiredDenial(String),
    /// `unknown_task`.
    #[error("no access request `{0}` here")]
    UnknownTask(String),
    #[error(transparent)]
    Session(SessionError),
}

impl From<SessionError> for AccessRequestError {
    fn from(e: SessionError) -> Self {
        Self::Session(e)
    }
}

impl From<StoreError> for AccessRequestError {
    fn from(e: StoreError) -> Self {
        Self::Session(e.into())
    }
}

/// A time as the profile's members write it (RFC 3339, seconds, `Z`).
pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl TenantAuthzen<'_> {
    /// The requestable denial of a pending start question `bound`, asked
    /// of the PDP `pdp` at `now`; `None` when no token key signs here.
    pub fn requestable(&self, bound: &Bound, pdp: &str, now: DateTime<Utc>) -> Option<RequestableDenial> {
        let now = crate::sessions::changes::secs(now);
        let expires_at = now + TimeDelta::seconds(DENIAL_SECONDS);
        let evaluation_id = crate::model::random_id("ev-");
        let claims = Binding {
            iss: pdp.to_string(),
            aud: pdp.to_string(),
            tenant: self.0.name().to_string(),
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
            jti: crate::model::random_id("jti-"),
            evaluation_id: evaluation_id.clone(),
            denial_expires_at: rfc3339(expires_at),
            binding_context_members: bound.context.keys().cloned().collect(),
            bound: bound.clone(),
        };
        let claims = serde_json::to_value(&claims).ok()?;
        let binding_token = self.0.standin().access().sign_jwt(BINDING_TYP, &claims)?;
        Some(RequestableDenial {
            evaluation_id,
            evaluated_at: now,
            expires_at,
            binding_token,
        })
    }

    /// Submits an access request: checks its binding (signed here, for
    /// this tenant, fresh, and the same question member for member), then
    /// starts the session, which waits for its approvers. A submission
    /// again for a request still pending (the same actor and target)
    /// returns that task; a start the policy now allows outright is
    /// approved at once.
    pub fn request_access(&self, submission: &Submission<'_>, now: DateTime<Utc>) -> Result<Task, AccessRequestError> {
        let now = crate::sessions::changes::secs(now);
        let access = self.0.standin().access();
        let claims = access
            .verify_jwt(BINDING_TYP, submission.binding_token)
            .ok_or_else(|| {
                AccessRequestError::InvalidBinding("`denial.binding_token` is not a binding this PDP signed".into())
            })?;
        let binding: Binding = serde_json::from_value(claims).map_err(|e| {
            AccessRequestError::InvalidBinding(format!("`denial.binding_token` does not bind a question: {e}"))
        })?;
        if binding.tenant != self.0.name() {
            return Err(AccessRequestError::InvalidBinding(
                "`denial.binding_token` binds a denial of another tenant".into(),
            ));
        }
        if submission.expires_at != binding.denial_expires_at {
            return Err(AccessRequestError::InvalidBinding(
                "`denial.expires_at` is not the denial's expiry".into(),
            ));
        }
        if now.timestamp() >= binding.exp {
            return Err(AccessRequestError::ExpiredDenial(binding.denial_expires_at));
        }
        for (what, asked, bound) in [
            ("subject", &submission.bound.subject, &binding.bound.subject),
            ("resource", &submission.bound.resource, &binding.bound.resource),
            ("action", &submission.bound.action, &binding.bound.action),
        ] {
            if asked != bound {
                return Err(AccessRequestError::InvalidBinding(format!(
                    "`{what}` is not the denied question's"
                )));
            }
        }
        if submission.bound.context != binding.bound.context {
            return Err(AccessRequestError::InvalidBinding(format!(
                "`context` differs from the denied question's in its bound members ({})",
                binding.binding_context_members.join(", ")
            )));
        }
        let tenant = self.0.name();
        let start = submission.start;
        let store = &self.0.standin().store;
        // Access requests are rare; the tenant's open sessions are few.
        if let Some(open) = store
            .sessions(tenant, true)?
            .into_iter()
            .find(|s| s.is_pending() && s.actor == start.actor.id && s.target == start.target.id && !s.is_due(now))
        {
            return Ok(Task::of(&open, now));
        }
        let outcome = self.0.sessions().start(start, None, now)?;
        match outcome.session {
            Some(s) => Ok(Task {
                created: true,
                ..Task::of(&s, now)
            }),
            None => Err(AccessRequestError::NotRequestable(format!(
                "the policy now denies this start ({})",
                outcome.decision.codes().collect::<Vec<_>>().join(", ")
            ))),
        }
    }

    /// The task of access request `id` (a session of this tenant).
    pub fn task(&self, id: &str, now: DateTime<Utc>) -> Result<Task, AccessRequestError> {
        match self.0.sessions().session(id, now) {
            Ok(s) => Ok(Task::of(&s, now)),
            Err(SessionError::Store(StoreError::UnknownSession(_))) => {
                Err(AccessRequestError::UnknownTask(id.to_string()))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The session approval `id` stands for, when it applies to a start
    /// of `actor` impersonating `target` now: this tenant's, theirs, and
    /// active. A reference that does not apply is `Err`, saying whether it
    /// expired (`approval_expired`) or was never one (`approval_unverifiable`).
    pub fn approved(
        &self,
        id: &str,
        actor: &str,
        target: &str,
        now: DateTime<Utc>,
    ) -> Result<SessionRecord, &'static str> {
        let s = self
            .0
            .sessions()
            .session(id, now)
            .map_err(|_| "approval_unverifiable")?;
        if s.actor != actor || s.target != target {
            return Err("approval_unverifiable");
        }
        if !s.is_active() || s.is_due(now) {
            return Err("approval_expired");
        }
        Ok(s)
    }
}
