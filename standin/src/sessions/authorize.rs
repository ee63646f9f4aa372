//! The per-action guard, `authorize`: the hot path of a session.
//!
//! A call reads the session from [`ActiveCache`] (the active sessions this
//! process last wrote or read; a miss reads the store), asks the policy
//! version the session started with, outside any transaction, and hands the
//! audit rows to [`SessionStore::append_action`](crate::store::SessionStore::append_action),
//! which (in SQLite) commits them in a batch with those of concurrent calls.
//!
//! The race with `end` (or `revoke`, or the deadline), in the default
//! durable mode: the store appends the rows only if, in the transaction
//! that commits them, the session is still active at the call's `now`.
//! Otherwise nothing is appended and the call is answered as an action on
//! an ended session: denied `session-ended` (or `session-expired`), and
//! recorded so, after the `session.ended` event. So the trail never shows
//! an allowed action after the session's end, and what the caller was told
//! is what the trail says. The cache is only a hint: the check is made
//! against the database, so an end by another process is seen too.
//!
//! In batched mode ([`AuditMode::Batched`](crate::store::AuditMode)) the
//! caller is answered before the commit, so the rows are recorded as
//! decided: an action that raced an end may appear just after it.

use super::changes::{
    clip, clip_opt, codes_of, event_of, inactive_deny, policy_error, recorded_request, request_facts, secs,
    session_facts,
};
use super::{Authorization, SessionError, Sessions};
use crate::Standin;
use crate::audit::{AuditEvent, RequestFacts, events, row_digest_after, session_digest};
use crate::decision::{Decision, Grant, codes};
use crate::model::SessionRecord;
use crate::request::{ActionRequest, MAX_ID_BYTES, MAX_REASON_BYTES, PackedSession, RequestError, RequestLimits};
use crate::store::{ActionAppended, ActionRecord, Change};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

/// Beyond this many entries the cache starts over (sessions ended by
/// another process are only evicted when touched).
const MAX_CACHED: usize = 100_000;

/// A session as last written or read, with what every action in it
/// shares, made on first use (once per session, not per call): the
/// request facts its rows refer to, the digest of the fields its rows have
/// in common (see `audit::chain`), and the session's facts packed for the
/// policy.
#[derive(Debug)]
pub(crate) struct Active {
    session: SessionRecord,
    sealed: OnceLock<(Arc<RequestFacts>, [u8; 32])>,
    /// Both principals (every list and attribute) packed once, so that an
    /// action adds only its own strings (see [`PackedSession`]).
    packed: OnceLock<Result<PackedSession, RequestError>>,
    /// When this process last recorded an action of it (Unix seconds; 0:
    /// none since it was read): with an idle timeout (IT1), the row's
    /// `last_action_at` is as old as the read, and this keeps the session
    /// alive here as its committed actions keep it alive in the store.
    /// Never ahead of the store: set once the action's row is committed.
    seen: AtomicI64,
}

impl Active {
    fn new(session: SessionRecord) -> Self {
        Self {
            session,
            sealed: OnceLock::new(),
            packed: OnceLock::new(),
            seen: AtomicI64::new(0),
        }
    }

    /// Whether it is due at `now`, counting the actions recorded here.
    fn is_due(&self, now: DateTime<Utc>) -> bool {
        let seen = match self.seen.load(Ordering::Relaxed) {
            0 => None,
            t => DateTime::from_timestamp(t, 0),
        };
        self.session.is_due_seen(now, seen)
    }

    /// An action at `now` was recorded (IT1).
    fn touch(&self, now: DateTime<Utc>) {
        if self.session.idle_timeout_seconds.is_some() {
            self.seen.fetch_max(now.timestamp(), Ordering::Relaxed);
        }
    }

    /// The session as last written or read.
    pub(crate) fn session(&self) -> &SessionRecord {
        &self.session
    }

    /// The request facts of the session's actions, and the digest of what
    /// their rows share.
    fn sealed(&self) -> &(Arc<RequestFacts>, [u8; 32]) {
        self.sealed.get_or_init(|| {
            let facts = Arc::new(request_facts(&self.session));
            let mut shared = event_of(&self.session, "", self.session.started_at);
            shared.seal.facts = Some(facts.clone());
            (facts, session_digest(&shared))
        })
    }

    /// The session's facts packed for the policy, or why they do not pack
    /// (every action in the session is then `invalid-request`).
    fn packed(&self, limits: &RequestLimits) -> &Result<PackedSession, RequestError> {
        self.packed
            .get_or_init(|| session_facts(&self.session).pack(&self.session.tenant, limits))
    }
}

/// Active sessions by id, as this process last wrote or read them.
#[derive(Debug, Default)]
pub(crate) struct ActiveCache(RwLock<HashMap<String, Arc<Active>>>);

impl ActiveCache {
    fn get(&self, id: &str) -> Option<Arc<Active>> {
        self.0.read().unwrap_or_else(PoisonError::into_inner).get(id).cloned()
    }

    fn put(&self, s: Arc<Active>) {
        let mut map = self.0.write().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= MAX_CACHED {
            map.clear();
        }
        map.insert(s.session.id.clone(), s);
    }

    /// Keeps `s` if it is active, drops it otherwise.
    pub(crate) fn remember(&self, s: &SessionRecord) {
        if s.is_active() {
            self.put(Arc::new(Active::new(s.clone())));
        } else {
            self.forget(&s.id);
        }
    }

    pub(crate) fn forget(&self, id: &str) {
        self.0.write().unwrap_or_else(PoisonError::into_inner).remove(id);
    }

    fn clear(&self) {
        self.0.write().unwrap_or_else(PoisonError::into_inner).clear();
    }

    fn contains(&self, id: &str) -> bool {
        self.0.read().unwrap_or_else(PoisonError::into_inner).contains_key(id)
    }
}

impl Standin {
    /// Follows session changes other processes commit (where the store
    /// tells of them, [`SessionStore::watch_sessions`](crate::store::SessionStore::watch_sessions)):
    /// a session ended or extended elsewhere leaves this process's cache at
    /// once, instead of when an action finds it changed. For long-running
    /// processes sharing a database (`standin serve` replicas).
    pub fn follow_changes(&self) -> Result<(), SessionError> {
        let cache = Arc::downgrade(&self.active);
        self.store.watch_sessions(Box::new(move |id| {
            if let Some(cache) = cache.upgrade() {
                match id {
                    Some(id) => cache.forget(id),
                    None => cache.clear(),
                }
            }
        }))?;
        Ok(())
    }
}

/// The request the policy sees for `action` in `s`.
fn action_request(s: &SessionRecord, action: &str, resource: Option<&str>, now: DateTime<Utc>) -> ActionRequest {
    ActionRequest {
        tenant: s.tenant.clone(),
        session: session_facts(s),
        action: action.to_string(),
        resource: resource.map(str::to_string),
        now: Some(now),
    }
}

/// `action.allowed` / `action.denied`, and `policy.error` after a policy failure.
fn action_events(
    s: &SessionRecord,
    action: &str,
    resource: Option<&str>,
    decision: &Decision,
    request: Option<String>,
    now: DateTime<Utc>,
) -> Vec<AuditEvent> {
    let name = if decision.is_allow() {
        events::ACTION_ALLOWED
    } else {
        events::ACTION_DENIED
    };
    let mut event = event_of(s, name, now);
    // Within the caps these are the request's own; a refused oversized
    // request is recorded clipped (its decision says `invalid-request`).
    event.action = Some(clip(action, MAX_ID_BYTES));
    // A refused request's resource is kept to 1 KiB (its size and digest
    // say the rest), as its other fields are: a row never holds tens of
    // KiB that the host refused.
    let refused = decision.codes().any(|c| c == codes::INVALID_REQUEST);
    let max_resource = if refused {
        MAX_REASON_BYTES
    } else {
        RequestLimits::default().max_text_bytes
    };
    event.resource = clip_opt(resource, max_resource);
    event.codes = codes_of(decision);
    event.obligations = decision.grant().map(Grant::obligations_owned);
    event.request = request;
    // IT1: in a session with an idle timeout, the row says the deadline
    // this action moves it to. Such rows (and only those) are indexed, so
    // finding a session's last action costs the others nothing.
    if s.is_active() {
        event.expires_at = s.idle_deadline(Some(now)).map(|idle| idle.min(s.hard_deadline()));
    }
    let error = policy_error(&event, decision);
    let mut audit = vec![event];
    audit.extend(error);
    audit
}

/// The deny of an action dated before its session's start (a host clock
/// that jumped back): nothing is allowed in a session that has not begun.
/// Replicas' clocks differ a little: up to `skew` before the start is the
/// same moment (its row is recorded at the chain's time, after the start).
fn before_start(s: &SessionRecord, now: DateTime<Utc>, skew: chrono::TimeDelta) -> Option<Decision> {
    (now + skew < s.started_at).then(|| {
        Decision::host_deny(
            codes::INVALID_REQUEST,
            format!(
                "the request's time {} is before the session's start {}",
                now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                s.started_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
        )
    })
}

/// SC2: an action outside the session's scope is denied by the host,
/// whatever the policy would say (a component is trusted to narrow, never
/// to widen).
fn outside_scope(s: &SessionRecord, action: &str, resource: Option<&str>) -> Option<Decision> {
    let scope = s.scope.as_ref()?;
    (!scope.allows(action, resource)).then(|| {
        let on = resource.map_or_else(String::new, |r| format!(" on `{r}`"));
        Decision::deny(vec![standin_engine::Reason {
            code: standin_engine::scope::OUTSIDE_SESSION_SCOPE.into(),
            rule: "SC2".into(),
            message: format!("`{action}`{on} is outside the scope of session `{}`", s.id),
        }])
    })
}

fn answer(s: &SessionRecord, decision: Decision) -> Authorization {
    Authorization {
        decision,
        acting_as: s.target.clone(),
        on_behalf_of: s.actor.clone(),
        session: s.id.clone(),
        policy: s.policy.clone(),
    }
}

impl Standin {
    /// Session `id` from the cache, or read (and cached when active).
    pub(crate) fn entry(&self, id: &str) -> Result<Arc<Active>, SessionError> {
        if let Some(e) = self.active.get(id) {
            return Ok(e);
        }
        let e = Arc::new(Active::new(self.stored(id)?));
        if e.session.is_active() {
            self.active.put(e.clone());
        }
        Ok(e)
    }

    /// The policy's decision on an action in an active session, and the
    /// audit rows for the store; `None` when the session is ended or due
    /// (answered by [`Self::authorize_in_transaction`]). `now` is in whole
    /// seconds. `known`: the policy's decision, already made by
    /// [`Self::decide_many`].
    pub(crate) fn decide(
        &self,
        entry: &Active,
        action: &str,
        resource: Option<&str>,
        now: DateTime<Utc>,
        known: Option<Decision>,
    ) -> Result<Option<(Decision, ActionRecord)>, SessionError> {
        let session = &entry.session;
        if !session.is_active() || entry.is_due(now) {
            return Ok(None);
        }
        let decision = match (known, outside_scope(session, action, resource)) {
            (Some(known), _) if !known.is_allow() => known,
            (_, Some(outside)) => outside,
            (Some(known), None) => known,
            (None, None) => {
                let policy = self.policy(&session.tenant, Some(session.policy.version))?;
                match before_start(session, now, self.integrity.max_ahead()) {
                    Some(deny) => deny,
                    None => {
                        let packed = entry.packed(&self.host().config().requests);
                        policy.evaluate_action_in(packed, action, resource, now)
                    }
                }
            }
        };
        // The request is stored as the session's facts plus the event's own
        // fields, and each row's digest is made here, not by the writer.
        let (facts, shared) = entry.sealed();
        let mut audit = action_events(session, action, resource, &decision, None, now);
        for e in &mut audit {
            e.seal.facts = Some(facts.clone());
            e.seal.digest = Some(row_digest_after(shared, e));
        }
        let record = ActionRecord {
            session: session.id.clone(),
            now,
            audit,
            answer_by: crate::deadline::current(),
        };
        Ok(Some((decision, record)))
    }

    /// The policy's decisions on several actions of one active, started
    /// session at one time, in one call where the policy can
    /// ([`standin::Policy::evaluate_actions_in`](crate::Policy::evaluate_actions_in)):
    /// what [`Self::decide`] would decide for each. `None` when the
    /// session is not active, due or not started yet: each is then decided
    /// on its own.
    pub(crate) fn decide_many(
        &self,
        entry: &Active,
        actions: &[(&str, Option<&str>)],
        now: DateTime<Utc>,
    ) -> Result<Option<Vec<Decision>>, SessionError> {
        let session = &entry.session;
        if !session.is_active() || entry.is_due(now) || before_start(session, now, self.integrity.max_ahead()).is_some()
        {
            return Ok(None);
        }
        let policy = self.policy(&session.tenant, Some(session.policy.version))?;
        let packed = entry.packed(&self.host().config().requests);
        Ok(Some(policy.evaluate_actions_in(packed, actions, now)))
    }

    /// The answer to a decided call, given what the store did with its rows.
    pub(crate) fn settle(
        &self,
        entry: &Active,
        decision: Decision,
        appended: ActionAppended,
        action: &str,
        resource: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Authorization, SessionError> {
        let id = &entry.session.id;
        match appended {
            ActionAppended::Committed(_) | ActionAppended::Queued => {
                entry.touch(now);
                Ok(answer(&entry.session, decision))
            }
            ActionAppended::Inactive => {
                // Ended (or due) since it was read: answer and record it as such.
                self.active.forget(id);
                self.authorize_in_transaction(id, action, resource, now)
            }
            // Its caller stopped waiting: nothing was recorded, nothing is allowed.
            ActionAppended::Late => Err(SessionError::Late { id: id.clone() }),
        }
    }

    /// `authorize` in one store transaction with the session's read: the
    /// path for a session that is not (or no longer) active, which also
    /// records a due session's expiry.
    pub(crate) fn authorize_in_transaction(
        &self,
        id: &str,
        action: &str,
        resource: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Authorization, SessionError> {
        let pre = self.stored(id)?;
        let policy = self.policy(&pre.tenant, Some(pre.policy.version))?;
        let skew = self.integrity.max_ahead();
        let changes = |s: &SessionRecord, decision: &Decision, request: Option<String>| Change {
            audit: action_events(s, action, resource, decision, request, now),
            ..Change::default()
        };
        let (session, decision) = self.transition(
            id,
            now,
            |s| {
                if !s.is_active() {
                    let decision = inactive_deny(s);
                    return (changes(s, &decision, None), decision);
                }
                let request = action_request(s, action, resource, now);
                let decision = before_start(s, now, skew)
                    .or_else(|| outside_scope(s, action, resource))
                    .unwrap_or_else(|| policy.evaluate_action(&request, now));
                let json = recorded_request(serde_json::to_string(&request).ok(), &decision);
                (changes(s, &decision, json), decision)
            },
            |s| {
                let decision = inactive_deny(s);
                (changes(s, &decision, None), decision)
            },
        )?;
        Ok(answer(&session, decision))
    }
}

impl Sessions<'_> {
    /// Whether session `id` is in this process's cache of active sessions
    /// (which a call reads before the store).
    pub fn is_cached(&self, id: &str) -> bool {
        self.active.contains(id)
    }

    /// May the actor do `action` inside session `id`? The policy version the
    /// session started with answers, with the session's stored facts. An
    /// ended or expired session is denied (`session-ended`,
    /// `session-expired`) without asking the policy. Every answer is an
    /// audit event (`action.allowed` / `action.denied`, A3), durable when
    /// this returns unless the store is in batched mode. An action racing
    /// the session's end: see the module documentation. Many calls at
    /// once, with one wait for all of them: [`Sessions::authorize_batch`](crate::sessions::Sessions::authorize_batch).
    pub fn authorize(
        &self,
        id: &str,
        action: &str,
        resource: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Authorization, SessionError> {
        self.answer_action(id, action, resource, now, None)
    }

    /// Records `deny`, decided by the host without asking the policy, as
    /// the answer to `action` in session `id` (audited as `action.denied`
    /// like any other): a gateway's request that no route names. An ended
    /// session is answered as `authorize` answers it.
    pub fn deny_by_host(
        &self,
        id: &str,
        action: &str,
        resource: Option<&str>,
        deny: Decision,
        now: DateTime<Utc>,
    ) -> Result<Authorization, SessionError> {
        debug_assert!(!deny.is_allow(), "the host only ever denies here");
        let deny = if deny.is_allow() {
            Decision::host_deny(codes::INVALID_REQUEST, "a host decision must be a deny")
        } else {
            deny
        };
        self.answer_action(id, action, resource, now, Some(deny))
    }

    fn answer_action(
        &self,
        id: &str,
        action: &str,
        resource: Option<&str>,
        now: DateTime<Utc>,
        known: Option<Decision>,
    ) -> Result<Authorization, SessionError> {
        let now = secs(now);
        let entry = self.entry(id)?;
        match self.decide(&entry, action, resource, now, known)? {
            None => self.authorize_in_transaction(id, action, resource, now),
            Some((decision, record)) => {
                let committing = crate::trace::start();
                let appended = self.store.append_action(record);
                crate::trace::phase("audit.commit", committing, || {
                    vec![("standin.audit.group_size", 1i64.into())]
                });
                let appended = appended?;
                self.settle(&entry, decision, appended, action, resource, now)
            }
        }
    }
}
