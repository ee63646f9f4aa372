//! Sessions: a [`Host`] for decisions and a [`Store`] for what was decided.
//!
//! [`Sessions`] starts impersonation sessions with the tenant's active
//! policy (filling `actor_session` from the store, E7), keeps them to their
//! deadline (S1, S3), answers the banner (S4), guards each action with the
//! policy version the session started under (S7, F1-F6), and writes every
//! event to the tenant's hash-chained audit trail (A1-A3) and the messages
//! for the target to the outbox (N1), in the same transaction as the
//! session change they describe.
//!
//! Times are whole seconds: `now` is truncated. A session is active while
//! `now < expires_at`; at its deadline it is expired, and the first thing
//! that touches it (status, authorize, end, extend, revoke, a start by the
//! same actor, [`Sessions::sweep`] or the [`Sweeper`] thread) records it as
//! ended with `end_reason` `expired` and `ended_at` = the deadline.
//!
//! Standin only ever ends impersonation sessions: nothing here touches the
//! target's own login sessions (S5); the platform keeps those.
//!
//! Nesting (E7): the host tells the policy about the actor's current
//! session; when the policy still allows the start (`allow_nested`), the new
//! session records its `parent` and runs one `depth` deeper. One active
//! session per actor and depth is enforced by the store, whatever a policy
//! says.

mod report;
mod verify;

pub use report::{Format, View, render};
pub use verify::{Broken, TenantChain, verify_chain};

use crate::decision::{Decision, Reason, codes};
use crate::engine::{Digest, Host};
use crate::load::LoadError;
use crate::policy::{HARD_MAX_TTL_SECONDS, Policy};
use crate::request::{ActionRequest, SessionFacts, SessionRef, StartRequest};
use crate::store::{
    AuditEvent, AuditFilter, Change, EndReason, NewMessage, Notifications, OutboxMessage, PolicyRef, SessionRecord,
    SessionState, SqliteStore, Store, StoreError, StoredPolicy, events, kinds,
};
use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

/// Reason codes the session layer adds to the contract's.
pub mod session_codes {
    /// The session reached its deadline (S3).
    pub const SESSION_EXPIRED: &str = "session-expired";
    /// The session was ended or revoked (S2).
    pub const SESSION_ENDED: &str = "session-ended";
}

/// The banner shows the last this many seconds as expiring soon (S3, S4).
pub const EXPIRING_SOON_SECONDS: i64 = 300;

/// Why a session operation failed (as opposed to being denied).
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("session `{id}` has already ended ({end_reason})")]
    Ended { id: String, end_reason: &'static str },
    #[error("cannot load the policy for tenant `{tenant}`: {source}")]
    Policy { tenant: String, source: LoadError },
    #[error("`{0}` must not be empty")]
    Empty(&'static str),
    #[error("`ttl` must be at least 1 second")]
    ZeroTtl,
}

/// What a start came to: a session, or the deny.
#[derive(Debug, Clone)]
pub struct StartOutcome {
    pub decision: Decision,
    pub session: Option<SessionRecord>,
}

/// What an extension came to: the decision, and the session as it is now.
#[derive(Debug, Clone)]
pub struct ExtendOutcome {
    pub decision: Decision,
    pub session: SessionRecord,
}

/// The answer to an action inside a session.
#[derive(Debug, Clone, Serialize)]
pub struct Authorization {
    #[serde(flatten)]
    pub decision: Decision,
    /// The target: whose rights the action runs with.
    pub acting_as: String,
    /// The actor: who really does it.
    pub on_behalf_of: String,
    pub session: String,
}

/// The banner facts (S4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Banner {
    pub id: String,
    pub tenant: String,
    pub actor: String,
    pub target: String,
    pub state: SessionState,
    pub expires_at: DateTime<Utc>,
    pub remaining_seconds: i64,
    pub expiring_soon: bool,
    pub end_reason: Option<EndReason>,
    pub return_to: Option<String>,
    pub read_only: bool,
}

impl Banner {
    pub fn of(s: &SessionRecord, now: DateTime<Utc>) -> Self {
        let remaining = if s.is_active() {
            (s.expires_at - now).num_seconds().max(0)
        } else {
            0
        };
        Self {
            id: s.id.clone(),
            tenant: s.tenant.clone(),
            actor: s.actor.clone(),
            target: s.target.clone(),
            state: s.state,
            expires_at: s.expires_at,
            remaining_seconds: remaining,
            expiring_soon: s.is_active() && remaining > 0 && remaining <= EXPIRING_SOON_SECONDS,
            end_reason: s.end_reason,
            return_to: s.return_to.clone(),
            read_only: s.read_only,
        }
    }
}

/// Sessions of every tenant: decisions by a [`Host`], records in a [`Store`].
/// Safe to share between threads.
#[derive(Debug)]
pub struct Sessions {
    host: Host,
    store: Arc<dyn Store>,
    policies: Mutex<HashMap<(String, u32), Policy>>,
}

/// Whole seconds.
fn secs(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

fn builtin_digest() -> String {
    static DIGEST: OnceLock<String> = OnceLock::new();
    DIGEST
        .get_or_init(|| Digest::of(crate::DEFAULT_POLICY).to_string())
        .clone()
}

/// `s-` and 16 hex digits, from sha256 of the clock, the process, a counter
/// and the process's random hash keys.
pub fn new_session_id() -> String {
    use sha2::{Digest as _, Sha256};
    use std::hash::{BuildHasher, Hasher};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut random = std::collections::hash_map::RandomState::new().build_hasher();
    random.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut h = Sha256::new();
    h.update(nanos.to_le_bytes());
    h.update(std::process::id().to_le_bytes());
    h.update(random.finish().to_le_bytes());
    h.update(COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    format!("s-{}", crate::store::hex(&h.finalize()[..8]))
}

fn render_template(template: &str, s: &SessionRecord) -> String {
    template
        .replace("{actor}", &s.actor)
        .replace("{target}", &s.target)
        .replace("{reason}", s.reason.as_deref().unwrap_or("no reason given"))
        .replace("{session}", &s.id)
        .replace(
            "{expires_at}",
            &s.expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        )
        .replace("{end_reason}", s.end_reason.map_or("", EndReason::as_str))
}

fn is_policy_failure(d: &Decision) -> bool {
    d.reasons
        .iter()
        .any(|r| r.rule == codes::HOST_RULE && r.code.starts_with("policy-"))
}

fn codes_of(d: &Decision) -> Vec<String> {
    d.codes().map(str::to_string).collect()
}

/// An audit event about `s`, without chain fields.
fn event_of(s: &SessionRecord, event: &str, at: DateTime<Utc>) -> AuditEvent {
    AuditEvent {
        seq: 0,
        tenant: s.tenant.clone(),
        at,
        event: event.to_string(),
        session: Some(s.id.clone()),
        actor: s.actor.clone(),
        target: s.target.clone(),
        action: None,
        resource: None,
        reason: s.reason.clone(),
        codes: Vec::new(),
        end_reason: None,
        policy: s.policy.clone(),
        expires_at: None,
        obligations: None,
        note: None,
        request: None,
        prev_hash: String::new(),
        hash: String::new(),
    }
}

/// A `policy.error` event after `event`, when the decision was a policy failure.
fn policy_error(event: &AuditEvent, decision: &Decision) -> Option<AuditEvent> {
    is_policy_failure(decision).then(|| AuditEvent {
        event: events::POLICY_ERROR.to_string(),
        note: Some(
            decision
                .reasons
                .iter()
                .map(|r| r.message.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        ),
        ..event.clone()
    })
}

/// Ends `s` at `at`, with its audit event and, when the tenant and the
/// policy want it, the message to the target.
fn end_change(
    s: &SessionRecord,
    reason: EndReason,
    at: DateTime<Utc>,
    note: Option<String>,
    n: &Notifications,
) -> Change {
    let mut ended = s.clone();
    ended.state = SessionState::Ended;
    ended.ended_at = Some(at);
    ended.end_reason = Some(reason);
    if reason == EndReason::Revoked {
        ended.revoke_reason.clone_from(&note);
    }
    let mut event = event_of(&ended, events::SESSION_ENDED, at);
    event.end_reason = Some(reason.as_str().to_string());
    event.note = note;
    let mut change = Change {
        audit: vec![event],
        ..Change::default()
    };
    if n.enabled && s.notify_target {
        change.outbox.push(NewMessage {
            tenant: s.tenant.clone(),
            to: s.target.clone(),
            kind: kinds::ENDED.to_string(),
            session: s.id.clone(),
            text: render_template(&n.ended_template, &ended),
            created_at: at,
        });
    }
    change.update = Some(ended);
    change
}

/// Records a due session as expired at its deadline.
fn expire_change(s: &SessionRecord, n: &Notifications) -> Change {
    end_change(s, EndReason::Expired, s.expires_at, None, n)
}

/// The deny of anything asked of a session that is no longer active.
fn inactive_deny(s: &SessionRecord) -> Decision {
    if s.end_reason == Some(EndReason::Expired) {
        Decision::deny(vec![Reason {
            code: session_codes::SESSION_EXPIRED.to_string(),
            rule: "S3".to_string(),
            message: format!("session `{}` expired at {}", s.id, s.expires_at.to_rfc3339()),
        }])
    } else {
        Decision::deny(vec![Reason {
            code: session_codes::SESSION_ENDED.to_string(),
            rule: "S2".to_string(),
            message: format!(
                "session `{}` was {}",
                s.id,
                if s.end_reason == Some(EndReason::Revoked) {
                    "revoked"
                } else {
                    "ended"
                }
            ),
        }])
    }
}

impl Sessions {
    pub fn new(host: Host, store: Arc<dyn Store>) -> Self {
        Self {
            host,
            store,
            policies: Mutex::new(HashMap::new()),
        }
    }

    /// Sessions on the SQLite file at `path` (created when missing).
    pub fn open(host: Host, path: impl AsRef<Path>) -> Result<Self, SessionError> {
        Ok(Self::new(host, Arc::new(SqliteStore::open(path)?)))
    }

    pub fn store(&self) -> &dyn Store {
        &*self.store
    }

    pub fn host(&self) -> &Host {
        &self.host
    }

    /// Stores and activates a tenant's policy: `component` (default: the
    /// built-in one) with `settings`. Loaded first: a component or settings
    /// that do not load are an error, and nothing is stored. Sessions
    /// already running keep the version they started with.
    pub fn set_policy(
        &self,
        tenant: &str,
        component: Option<&[u8]>,
        settings: &str,
        now: DateTime<Utc>,
    ) -> Result<StoredPolicy, SessionError> {
        if tenant.is_empty() {
            return Err(SessionError::Empty("tenant"));
        }
        let bytes = component.unwrap_or(crate::DEFAULT_POLICY);
        let policy = self.host.load(bytes, settings).map_err(|source| SessionError::Policy {
            tenant: tenant.to_string(),
            source,
        })?;
        let stored = self
            .store
            .put_policy(tenant, bytes, &policy.digest().to_string(), settings, secs(now))?;
        self.policies
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert((tenant.to_string(), stored.version), policy);
        Ok(stored)
    }

    /// The tenant's active policy (version 0, the built-in policy with its
    /// defaults, when it never set one).
    pub fn active_policy(&self, tenant: &str) -> Result<Option<StoredPolicy>, SessionError> {
        Ok(self.store.active_policy(tenant)?)
    }

    /// Switches a tenant's notifications and texts (N1).
    pub fn set_notifications(&self, tenant: &str, n: &Notifications) -> Result<(), SessionError> {
        Ok(self.store.set_notifications(tenant, n)?)
    }

    pub fn notifications(&self, tenant: &str) -> Result<Notifications, SessionError> {
        Ok(self.store.notifications(tenant)?)
    }

    /// A policy version, loaded (cached per tenant and version); a policy
    /// that cannot be had is a `policy-unavailable` deny, not an error.
    fn policy(&self, tenant: &str, version: Option<u32>) -> Result<(Result<Policy, Decision>, PolicyRef), StoreError> {
        let stored = match version {
            None => self.store.active_policy(tenant)?,
            Some(0) => None,
            Some(v) => self.store.policy(tenant, v)?,
        };
        let reference = stored.as_ref().map_or_else(
            || PolicyRef {
                version: 0,
                digest: builtin_digest(),
            },
            StoredPolicy::reference,
        );
        if version.is_some_and(|v| v != 0) && stored.is_none() {
            let d = Decision::host_deny(
                codes::POLICY_UNAVAILABLE,
                format!("tenant `{tenant}` has no policy version {}", reference.version),
            );
            return Ok((Err(d), reference));
        }
        let key = (tenant.to_string(), reference.version);
        if let Some(p) = self.policies.lock().unwrap_or_else(PoisonError::into_inner).get(&key) {
            return Ok((Ok(p.clone()), reference));
        }
        let loaded = match &stored {
            None => self.host.load_default("{}").map_err(|e| e.to_string()),
            Some(s) => match self.store.component(&s.digest)? {
                Some(bytes) => self.host.load(&bytes, &s.settings).map_err(|e| e.to_string()),
                None => Err(format!("component `{}` is missing from the store", s.digest)),
            },
        };
        match loaded {
            Ok(p) => {
                self.policies
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(key, p.clone());
                Ok((Ok(p), reference))
            }
            Err(e) => Ok((
                Err(Decision::host_deny(
                    codes::POLICY_UNAVAILABLE,
                    format!("the policy of tenant `{tenant}` cannot be loaded: {e}"),
                )),
                reference,
            )),
        }
    }

    /// Starts a session if the tenant's active policy allows it (E1-E10),
    /// in one transaction with its audit event (`session.started` or
    /// `session.denied`, A1, A2) and the message to the target (N1).
    ///
    /// The host's clock `now` is the request's time and `actor_session` is
    /// the actor's current session from the store, whatever the request says.
    pub fn start(
        &self,
        request: &StartRequest,
        return_to: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<StartOutcome, SessionError> {
        let now = secs(now);
        let tenant = request.tenant.as_str();
        let (policy, reference) = self.policy(tenant, None)?;
        let n = self.store.notifications(tenant)?;
        let mut outcome = None;
        self.store.start(tenant, &request.actor.id, &mut |current| {
            let mut change = Change::default();
            let mut current = current.cloned();
            if let Some(due) = current.as_ref().filter(|c| c.is_due(now)) {
                change = expire_change(due, &n);
                current = None;
            }
            let mut req = request.clone();
            req.now = Some(now);
            req.actor_session = current.as_ref().map(|c| SessionRef {
                id: c.id.clone(),
                target: c.target.clone(),
            });
            let decision = match &policy {
                Ok(p) => p.evaluate_start(&req, now),
                Err(d) => d.clone(),
            };
            let request_json = serde_json::to_string(&req).ok();
            if decision.is_allow() {
                let max = decision
                    .max_ttl_seconds
                    .unwrap_or(HARD_MAX_TTL_SECONDS)
                    .min(HARD_MAX_TTL_SECONDS);
                let ttl = decision.ttl_seconds.unwrap_or(max).min(max).max(1);
                let session = SessionRecord {
                    id: new_session_id(),
                    tenant: tenant.to_string(),
                    actor: req.actor.id.clone(),
                    target: req.target.id.clone(),
                    reason: req.reason.clone(),
                    domain: req.domain.clone(),
                    read_only: decision.read_only.unwrap_or(false),
                    started_at: now,
                    expires_at: now + TimeDelta::seconds(ttl as i64),
                    max_expires_at: now + TimeDelta::seconds(max.max(ttl) as i64),
                    state: SessionState::Active,
                    ended_at: None,
                    end_reason: None,
                    return_to: return_to.map(str::to_string),
                    policy: reference.clone(),
                    notify_target: decision.notify_target.unwrap_or(true),
                    obligations: decision.obligations.clone().unwrap_or_default(),
                    revoke_reason: None,
                    parent: current.as_ref().map(|c| c.id.clone()),
                    depth: current.as_ref().map_or(0, |c| c.depth + 1),
                    actor_principal: req.actor.clone(),
                    target_principal: req.target.clone(),
                };
                let mut event = event_of(&session, events::SESSION_STARTED, now);
                event.expires_at = Some(session.expires_at);
                event.obligations = Some(session.obligations.clone());
                event.request = request_json;
                change.audit.push(event);
                if n.enabled && session.notify_target {
                    change.outbox.push(NewMessage {
                        tenant: tenant.to_string(),
                        to: session.target.clone(),
                        kind: kinds::STARTED.to_string(),
                        session: session.id.clone(),
                        text: render_template(&n.started_template, &session),
                        created_at: now,
                    });
                }
                change.insert = Some(session.clone());
                outcome = Some(StartOutcome {
                    decision,
                    session: Some(session),
                });
            } else {
                let event = AuditEvent {
                    seq: 0,
                    tenant: tenant.to_string(),
                    at: now,
                    event: events::SESSION_DENIED.to_string(),
                    session: None,
                    actor: req.actor.id.clone(),
                    target: req.target.id.clone(),
                    action: None,
                    resource: None,
                    reason: req.reason.clone(),
                    codes: codes_of(&decision),
                    end_reason: None,
                    policy: reference.clone(),
                    expires_at: None,
                    obligations: None,
                    note: None,
                    request: request_json,
                    prev_hash: String::new(),
                    hash: String::new(),
                };
                let error = policy_error(&event, &decision);
                change.audit.push(event);
                change.audit.extend(error);
                outcome = Some(StartOutcome {
                    decision,
                    session: None,
                });
            }
            change
        })?;
        Ok(outcome.expect("the store asks the decision once"))
    }

    /// Reads session `id` in a write transaction: a due session is recorded
    /// as expired and `f` is not asked; an active one is given to `f`.
    /// Returns the session as it is after the transaction.
    fn transition<T>(
        &self,
        id: &str,
        now: DateTime<Utc>,
        mut f: impl FnMut(&SessionRecord) -> (Change, T),
        mut inactive: impl FnMut(&SessionRecord) -> (Change, T),
    ) -> Result<(SessionRecord, T), SessionError> {
        let tenant = match self.store.session(id)? {
            Some(s) => s.tenant,
            None => return Err(StoreError::UnknownSession(id.to_string()).into()),
        };
        let n = self.store.notifications(&tenant)?;
        let mut out = None;
        self.store.modify(id, &mut |s| {
            let (change, value, after) = if s.is_due(now) {
                let mut change = expire_change(s, &n);
                let after = change.update.clone().expect("an end updates the session");
                let (more, value) = inactive(&after);
                change.audit.extend(more.audit);
                change.outbox.extend(more.outbox);
                (change, value, after)
            } else if s.is_active() {
                let (change, value) = f(s);
                let after = change.update.clone().unwrap_or_else(|| s.clone());
                (change, value, after)
            } else {
                let (change, value) = inactive(s);
                (change, value, s.clone())
            };
            out = Some((after, value));
            change
        })?;
        Ok(out.expect("the store asks the decision once"))
    }

    /// Ends an active session by `reason` (stopped or revoked).
    fn finish(
        &self,
        id: &str,
        reason: EndReason,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<SessionRecord, SessionError> {
        let now = secs(now);
        let tenant = self.store.session(id)?.map(|s| s.tenant).unwrap_or_default();
        let n = self.store.notifications(&tenant)?;
        let (session, ok) = self.transition(
            id,
            now,
            |s| (end_change(s, reason, now, note.map(str::to_string), &n), true),
            |_| (Change::default(), false),
        )?;
        if ok {
            Ok(session)
        } else {
            Err(SessionError::Ended {
                id: id.to_string(),
                end_reason: session.end_reason.map_or("ended", EndReason::as_str),
            })
        }
    }

    /// The actor ends the session (S2); `return_to` is in the answer.
    pub fn end(&self, id: &str, now: DateTime<Utc>) -> Result<SessionRecord, SessionError> {
        self.finish(id, EndReason::Stopped, None, now)
    }

    /// Someone ends the session for the actor, saying why.
    pub fn revoke(&self, id: &str, reason: &str, now: DateTime<Utc>) -> Result<SessionRecord, SessionError> {
        self.finish(id, EndReason::Revoked, Some(reason), now)
    }

    /// The session, after recording its expiry if due.
    pub fn session(&self, id: &str, now: DateTime<Utc>) -> Result<SessionRecord, SessionError> {
        let now = secs(now);
        let s = self
            .store
            .session(id)?
            .ok_or_else(|| StoreError::UnknownSession(id.to_string()))?;
        if !s.is_due(now) {
            return Ok(s);
        }
        Ok(self
            .transition(id, now, |_| (Change::default(), ()), |_| (Change::default(), ()))?
            .0)
    }

    /// The banner facts (S4).
    pub fn status(&self, id: &str, now: DateTime<Utc>) -> Result<Banner, SessionError> {
        let s = self.session(id, now)?;
        Ok(Banner::of(&s, secs(now)))
    }

    /// A tenant's sessions, newest first, after recording due expiries.
    pub fn list(
        &self,
        tenant: &str,
        active_only: bool,
        now: DateTime<Utc>,
    ) -> Result<Vec<SessionRecord>, SessionError> {
        self.sweep(now)?;
        Ok(self.store.sessions(tenant, active_only)?)
    }

    /// Asks the tenant's active policy again, as a start of the same actor,
    /// target, reason and domain for `ttl` seconds; when allowed, the
    /// session ends `now` + the granted ttl, never past `max_expires_at`
    /// (`session.extended`); when denied, the session is unchanged
    /// (`session.denied` naming the session).
    pub fn extend(&self, id: &str, ttl: u64, now: DateTime<Utc>) -> Result<ExtendOutcome, SessionError> {
        if ttl == 0 {
            return Err(SessionError::ZeroTtl);
        }
        let now = secs(now);
        let pre = self
            .store
            .session(id)?
            .ok_or_else(|| StoreError::UnknownSession(id.to_string()))?;
        let parent = match &pre.parent {
            Some(p) => self.store.session(p)?.map(|p| SessionRef {
                id: p.id,
                target: p.target,
            }),
            None => None,
        };
        let (policy, reference) = self.policy(&pre.tenant, None)?;
        let (session, decision) = self.transition(
            id,
            now,
            |s| {
                let req = StartRequest {
                    tenant: s.tenant.clone(),
                    actor: s.actor_principal.clone(),
                    target: s.target_principal.clone(),
                    reason: s.reason.clone(),
                    ttl_seconds: Some(ttl),
                    domain: s.domain.clone(),
                    actor_session: parent.clone(),
                    consent_on_behalf: s.obligations.iter().any(|o| o == "revert-consent"),
                    now: Some(now),
                };
                let decision = match &policy {
                    Ok(p) => p.evaluate_start(&req, now),
                    Err(d) => d.clone(),
                };
                let mut event = event_of(s, events::SESSION_EXTENDED, now);
                event.policy = reference.clone();
                event.request = serde_json::to_string(&req).ok();
                let mut change = Change::default();
                if decision.is_allow() {
                    let granted = decision.ttl_seconds.unwrap_or(ttl).min(HARD_MAX_TTL_SECONDS);
                    let mut extended = s.clone();
                    extended.expires_at = (now + TimeDelta::seconds(granted as i64)).min(s.max_expires_at);
                    event.expires_at = Some(extended.expires_at);
                    change.update = Some(extended);
                    change.audit.push(event);
                } else {
                    event.event = events::SESSION_DENIED.to_string();
                    event.codes = codes_of(&decision);
                    event.note = Some("extension refused".to_string());
                    change.audit.push(event.clone());
                    change.audit.extend(policy_error(&event, &decision));
                }
                (change, Some(decision))
            },
            |_| (Change::default(), None),
        )?;
        match decision {
            Some(decision) => Ok(ExtendOutcome { decision, session }),
            None => Err(SessionError::Ended {
                id: id.to_string(),
                end_reason: session.end_reason.map_or("ended", EndReason::as_str),
            }),
        }
    }

    /// Records every session past its deadline as expired at its deadline;
    /// returns them.
    pub fn sweep(&self, now: DateTime<Utc>) -> Result<Vec<SessionRecord>, SessionError> {
        let now = secs(now);
        let mut ended = Vec::new();
        for id in self.store.due(now)? {
            let (s, _) = self.transition(&id, now, |_| (Change::default(), ()), |_| (Change::default(), ()))?;
            if !s.is_active() {
                ended.push(s);
            }
        }
        Ok(ended)
    }

    /// May the actor do `action` inside session `id`? The policy version the
    /// session started with answers, with the session's stored facts. An
    /// ended or expired session is denied (`session-ended`,
    /// `session-expired`) without asking the policy. Every answer is an
    /// audit event (`action.allowed` / `action.denied`, A3).
    pub fn authorize(
        &self,
        id: &str,
        action: &str,
        resource: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Authorization, SessionError> {
        let now = secs(now);
        let pre = self
            .store
            .session(id)?
            .ok_or_else(|| StoreError::UnknownSession(id.to_string()))?;
        let (policy, _) = self.policy(&pre.tenant, Some(pre.policy.version))?;
        let action_event = |s: &SessionRecord, decision: &Decision, request: Option<String>| {
            let mut event = event_of(
                s,
                if decision.is_allow() {
                    events::ACTION_ALLOWED
                } else {
                    events::ACTION_DENIED
                },
                now,
            );
            event.action = Some(action.to_string());
            event.resource = resource.map(str::to_string);
            event.codes = codes_of(decision);
            event.obligations.clone_from(&decision.obligations);
            event.request = request;
            let mut audit = vec![event.clone()];
            audit.extend(policy_error(&event, decision));
            Change {
                audit,
                ..Change::default()
            }
        };
        let (session, decision) = self.transition(
            id,
            now,
            |s| {
                let request = ActionRequest {
                    tenant: s.tenant.clone(),
                    session: SessionFacts {
                        id: s.id.clone(),
                        actor: s.actor_principal.clone(),
                        target: s.target_principal.clone(),
                        started_at: s.started_at,
                        expires_at: s.expires_at,
                        domain: s.domain.clone(),
                        reason: s.reason.clone(),
                        read_only: s.read_only,
                    },
                    action: action.to_string(),
                    resource: resource.map(str::to_string),
                    now: Some(now),
                };
                let decision = match &policy {
                    Ok(p) => p.evaluate_action(&request, now),
                    Err(d) => d.clone(),
                };
                (
                    action_event(s, &decision, serde_json::to_string(&request).ok()),
                    decision,
                )
            },
            |s| {
                let decision = inactive_deny(s);
                (action_event(s, &decision, None), decision)
            },
        )?;
        Ok(Authorization {
            decision,
            acting_as: session.target.clone(),
            on_behalf_of: session.actor.clone(),
            session: session.id,
        })
    }

    /// Audit events matching `filter`, by tenant and `seq`.
    pub fn audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>, SessionError> {
        Ok(self.store.audit(filter)?)
    }

    /// Recomputes the hash chain of `tenant` (default: every tenant).
    pub fn verify(&self, tenant: Option<&str>) -> Result<Vec<TenantChain>, SessionError> {
        let tenants = match tenant {
            Some(t) => vec![t.to_string()],
            None => self.store.audit_tenants()?,
        };
        tenants
            .into_iter()
            .map(|t| {
                let events = self.store.audit(&AuditFilter {
                    tenant: Some(t.clone()),
                    ..AuditFilter::default()
                })?;
                Ok(verify_chain(&t, &events))
            })
            .collect()
    }

    /// Messages not yet acknowledged (or all), oldest first.
    pub fn outbox(&self, tenant: Option<&str>, include_acked: bool) -> Result<Vec<OutboxMessage>, SessionError> {
        Ok(self.store.outbox(tenant, include_acked)?)
    }

    /// Marks messages delivered.
    pub fn ack(&self, ids: &[i64], now: DateTime<Utc>) -> Result<usize, SessionError> {
        Ok(self.store.ack(ids, secs(now))?)
    }

    /// Starts a thread that runs [`Self::sweep`] with the system clock every
    /// `every`; it stops when the returned [`Sweeper`] is dropped.
    pub fn spawn_sweeper(self: &Arc<Self>, every: Duration) -> Sweeper {
        let stop = Arc::new(AtomicBool::new(false));
        let sessions = Arc::downgrade(self);
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("standin-sweeper".to_string())
            .spawn(move || {
                let step = Duration::from_millis(50).min(every);
                let mut waited = Duration::ZERO;
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(step);
                    waited += step;
                    if waited < every {
                        continue;
                    }
                    waited = Duration::ZERO;
                    let Some(sessions) = sessions.upgrade() else { break };
                    // A failed sweep is retried next round; touching a session also expires it.
                    let _ = sessions.sweep(Utc::now());
                }
            })
            .ok();
        Sweeper { stop, thread }
    }
}

/// The background sweeper; dropping it stops the thread.
#[derive(Debug)]
pub struct Sweeper {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Sweeper {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
