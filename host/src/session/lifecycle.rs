//! The session lifecycle: start, end, revoke, extend, expiry, status and
//! list. Each change is one store transaction that reads the rows it
//! depends on, writes the session, its audit events and its messages, and
//! then refreshes the cache of active sessions the per-action guard reads.

use super::changes::{
    clip, clip_opt, codes_of, end_change, ended, event_of, expire_change, new_session_id, policy_error,
    recorded_request, render_template, secs,
};
use super::{Banner, ExtendOutcome, SessionError, Sessions, StartOutcome};
use crate::decision::Decision;
use crate::policy::HARD_MAX_TTL_SECONDS;
use crate::request::{MAX_ID_BYTES, MAX_REASON_BYTES, SessionRef, StartRequest, check_text};
use crate::store::{
    AuditEvent, Change, EndReason, NewMessage, Notifications, PolicyRef, SessionRecord, SessionState, StoreError,
    events, kinds,
};
use chrono::{DateTime, TimeDelta, Utc};

impl Sessions {
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
        // A tenant id that is not one gets no chain of its own: refused
        // before anything is recorded. Every other malformed field is a
        // recorded deny (`invalid-request`).
        check_text("tenant", tenant, MAX_ID_BYTES)?;
        if let Some(url) = return_to {
            self.check_return_to(tenant, url)?;
        }
        let policy = self.policy(tenant, None)?;
        let n = self.store.notifications(tenant)?;
        // The policy runs outside the write transaction, so a slow policy
        // holds up no other tenant's writes; the transaction then checks the
        // actor's session is still the one the policy saw, or asks again.
        loop {
            let seen = self
                .store
                .current_session(tenant, &request.actor.id)?
                .filter(|c| !c.is_due(now));
            let mut req = request.clone();
            req.now = Some(now);
            req.actor_session = seen.as_ref().map(|c| SessionRef {
                id: c.id.clone(),
                target: c.target.clone(),
            });
            let decision = policy.evaluate_start(&req, now);
            if let Some(outcome) = self.commit_start(&req, decision, &seen, &policy.reference, &n, return_to, now)? {
                if let Some(s) = &outcome.session {
                    self.active.remember(s);
                    self.wake.notify();
                }
                return Ok(outcome);
            }
        }
    }

    /// Writes what a start decided, if the actor's current session is still
    /// `seen`; `None` when it changed meanwhile (the caller asks again).
    #[allow(clippy::too_many_arguments)]
    fn commit_start(
        &self,
        req: &StartRequest,
        decision: Decision,
        seen: &Option<SessionRecord>,
        reference: &PolicyRef,
        n: &Notifications,
        return_to: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Option<StartOutcome>, SessionError> {
        let tenant = req.tenant.as_str();
        let (mut outcome, mut asked) = (None, false);
        self.store.start(tenant, &req.actor.id, &mut |current| {
            asked = true;
            let mut change = Change::default();
            let mut current = current.cloned();
            if let Some(due) = current.as_ref().filter(|c| c.is_due(now)) {
                change = expire_change(due, n);
                current = None;
            }
            if current.as_ref().map(|c| &c.id) != seen.as_ref().map(|c| &c.id) {
                return Change::default();
            }
            let decision = decision.clone();
            let request_json = recorded_request(serde_json::to_string(&req).ok(), &decision);
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
                    policy: reference.clone(),
                });
            } else {
                let event = AuditEvent {
                    seq: 0,
                    tenant: tenant.to_string(),
                    at: now,
                    event: events::SESSION_DENIED.to_string(),
                    session: None,
                    actor: clip(&req.actor.id, MAX_ID_BYTES),
                    target: clip(&req.target.id, MAX_ID_BYTES),
                    action: None,
                    resource: None,
                    reason: clip_opt(req.reason.as_deref(), MAX_REASON_BYTES),
                    codes: codes_of(&decision),
                    end_reason: None,
                    policy: reference.clone(),
                    expires_at: None,
                    obligations: None,
                    note: None,
                    request: request_json,
                    prev_hash: String::new(),
                    hash: String::new(),
                    seal: crate::store::Seal::default(),
                };
                let error = policy_error(&event, &decision);
                change.audit.push(event);
                change.audit.extend(error);
                outcome = Some(StartOutcome {
                    decision,
                    session: None,
                    policy: reference.clone(),
                });
            }
            change
        })?;
        if !asked {
            return Err(StoreError::Contract("`start` returned without asking for the change").into());
        }
        Ok(outcome)
    }

    /// Reads session `id` in a write transaction: a due session is recorded
    /// as expired and `f` is not asked; an active one is given to `f`.
    /// Returns the session as it is after the transaction.
    pub(super) fn transition<T>(
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
                let after = ended(s, EndReason::Expired, s.expires_at, None);
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
        let (after, value) = out.ok_or(StoreError::Contract("`modify` returned without asking for the change"))?;
        self.active.remember(&after);
        Ok((after, value))
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
        let pre = self.stored(id)?;
        not_before_start(&pre, now)?;
        let n = self.store.notifications(&pre.tenant)?;
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
    /// `reason` must say something: not blank, at most 1 KiB, no control
    /// characters.
    pub fn revoke(&self, id: &str, reason: &str, now: DateTime<Utc>) -> Result<SessionRecord, SessionError> {
        check_text("reason", reason, MAX_REASON_BYTES)?;
        self.finish(id, EndReason::Revoked, Some(reason), now)
    }

    /// The session, after recording its expiry if due.
    pub fn session(&self, id: &str, now: DateTime<Utc>) -> Result<SessionRecord, SessionError> {
        let now = secs(now);
        let s = self.stored(id)?;
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
        let pre = self.stored(id)?;
        not_before_start(&pre, now)?;
        let parent = match &pre.parent {
            Some(p) => self.store.session(p)?.map(|p| SessionRef {
                id: p.id,
                target: p.target,
            }),
            None => None,
        };
        let policy = self.policy(&pre.tenant, None)?;
        let reference = &policy.reference;
        // Asked outside the write transaction (see `start`); the facts it
        // reads (principals, reason, domain, parent) never change.
        let req = StartRequest {
            tenant: pre.tenant.clone(),
            actor: pre.actor_principal.clone(),
            target: pre.target_principal.clone(),
            reason: pre.reason.clone(),
            ttl_seconds: Some(ttl),
            domain: pre.domain.clone(),
            actor_session: parent,
            consent_on_behalf: pre.obligations.iter().any(|o| o == "revert-consent"),
            now: Some(now),
        };
        let decision = (pre.is_active() && !pre.is_due(now)).then(|| policy.evaluate_start(&req, now));
        let mut kept_expiry = false;
        let (session, decision) = self.transition(
            id,
            now,
            |s| {
                let Some(decision) = decision.clone() else {
                    return (Change::default(), None);
                };
                let mut event = event_of(s, events::SESSION_EXTENDED, now);
                event.policy = reference.clone();
                event.request = serde_json::to_string(&req).ok();
                let mut change = Change::default();
                if decision.is_allow() {
                    let granted = decision.ttl_seconds.unwrap_or(ttl).min(HARD_MAX_TTL_SECONDS);
                    let mut extended = s.clone();
                    let proposed = (now + TimeDelta::seconds(granted as i64)).min(s.max_expires_at);
                    // An extension never shortens a session.
                    kept_expiry = proposed < s.expires_at;
                    if kept_expiry {
                        event.note = Some(format!(
                            "the extension would end the session at {} instead of {}: its expiry is kept",
                            proposed.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                            s.expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                        ));
                    } else {
                        extended.expires_at = proposed;
                    }
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
            Some(decision) => {
                self.wake.notify();
                Ok(ExtendOutcome {
                    decision,
                    session,
                    kept_expiry,
                })
            }
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
}

/// No change to a session is dated before its start: a host clock that
/// jumped back would otherwise end a session before it began.
fn not_before_start(s: &SessionRecord, now: DateTime<Utc>) -> Result<(), SessionError> {
    if now < s.started_at {
        return Err(SessionError::BeforeStart {
            id: s.id.clone(),
            now,
            started_at: s.started_at,
        });
    }
    Ok(())
}
