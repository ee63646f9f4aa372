//! The session lifecycle after its start (`start`): end, revoke, extend,
//! expiry, status and list. Each change is one store transaction that reads the rows it
//! depends on, writes the session, its audit events and its messages, and
//! then refreshes the cache of active sessions the per-action guard reads.

use super::changes::{codes_of, end_change, event_of, expire_change, policy_error, secs};
use super::{Banner, ExtendOutcome, SessionError, Sessions};
use crate::Standin;
use crate::audit::events;
use crate::model::{EndReason, SessionRecord};
use crate::request::{MAX_REASON_BYTES, SessionRef, StartRequest, check_text};
use crate::store::{Change, StoreError};
use chrono::{DateTime, TimeDelta, Utc};

impl Standin {
    /// Reads session `id` in a write transaction: a due session is recorded
    /// as expired and `f` is not asked; an open one (active, or pending
    /// approval) is given to `f`, an ended one to `inactive`.
    /// Returns the session as it is after the transaction.
    pub(crate) fn transition<T>(
        &self,
        id: &str,
        now: DateTime<Utc>,
        f: impl FnMut(&SessionRecord) -> (Change, T),
        inactive: impl FnMut(&SessionRecord) -> (Change, T),
    ) -> Result<(SessionRecord, T), SessionError> {
        let (after, value, _) = self.transition_expiring(id, now, f, inactive)?;
        Ok((after, value))
    }

    /// [`Self::transition`], and whether this transaction recorded the
    /// expiry (not another process's before it).
    fn transition_expiring<T>(
        &self,
        id: &str,
        now: DateTime<Utc>,
        mut f: impl FnMut(&SessionRecord) -> (Change, T),
        mut inactive: impl FnMut(&SessionRecord) -> (Change, T),
    ) -> Result<(SessionRecord, T, bool), SessionError> {
        let pre = match self.store.session(id)? {
            Some(s) => s,
            None => return Err(StoreError::UnknownSession(id.to_string()).into()),
        };
        let n = self.store.notifications(&pre.tenant)?;
        // Whatever ends the session here tells the target what was changed
        // on their behalf (N2), in the same transaction.
        let digest = if pre.is_active() {
            self.change_digest(&pre, &n)?
        } else {
            None
        };
        let mut out = None;
        let committing = crate::trace::start();
        let applied = self.store.modify(id, &mut |s| {
            let (change, value, after, expired) = if s.is_due(now) {
                let mut change = expire_change(s, &n);
                let after = s.ended(s.expiry_reason(), s.deadline(), None);
                let (more, value) = inactive(&after);
                change.audit.extend(more.audit);
                change.outbox.extend(more.outbox);
                (change, value, after, true)
            } else if s.is_open() {
                let (change, value) = f(s);
                let after = change.update.clone().unwrap_or_else(|| s.clone());
                (change, value, after, false)
            } else {
                let (change, value) = inactive(s);
                (change, value, s.clone(), false)
            };
            let mut change = change;
            if s.is_active()
                && !after.is_active()
                && let Some(mut m) = digest.clone()
            {
                m.created_at = after.ended_at.unwrap_or(now);
                change.outbox.push(m);
            }
            out = Some((after, value, expired));
            change
        });
        crate::trace::phase("audit.commit", committing, || {
            vec![("standin.audit.transaction", "session".into())]
        });
        let applied = applied?;
        let (mut after, value, expired) =
            out.ok_or(StoreError::Contract("`modify` returned without asking for the change"))?;
        // The session as written: its times are the chain's.
        if let Some(written) = applied.session.filter(|w| w.id == after.id) {
            after = written;
        }
        self.active.remember(&after);
        Ok((after, value, expired))
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
        not_before_start(&pre, now, self.integrity.max_ahead())?;
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

    /// The start request that would grant `s` now: its actor, target,
    /// reason, domain and parent (read from the store), at `now`.
    pub(crate) fn restart_request(&self, s: &SessionRecord, now: DateTime<Utc>) -> Result<StartRequest, SessionError> {
        let parent = match &s.parent {
            Some(p) => self.store.session(p)?.map(|p| SessionRef {
                id: p.id,
                target: p.target,
            }),
            None => None,
        };
        Ok(restart_request_under(s, parent, now))
    }
}

/// The start request that would grant `s` at `now` with `parent` as the
/// actor's current session: for callers that already hold that session.
pub(crate) fn restart_request_under(s: &SessionRecord, parent: Option<SessionRef>, now: DateTime<Utc>) -> StartRequest {
    StartRequest {
        tenant: s.tenant.clone(),
        actor: s.actor_principal.clone(),
        target: s.target_principal.clone(),
        reason: s.reason.clone(),
        ttl_seconds: None,
        domain: s.domain.clone(),
        actor_session: parent,
        consent_on_behalf: s.obligations.iter().any(|o| o == "revert-consent"),
        now: Some(now),
        // Asked again as granted: a later answer may narrow it, never widen it.
        scope: s.scope.clone(),
    }
}

/// No change to a session is dated before its start: a host clock that
/// jumped back would otherwise end a session before it began. Up to
/// `skew` before it is the same moment on another replica's clock: the
/// change is recorded at the chain's time, after the start (see
/// [`crate::store::Integrity::stamp`]), so an end or a revoke from a
/// replica a little behind is not refused.
fn not_before_start(s: &SessionRecord, now: DateTime<Utc>, skew: TimeDelta) -> Result<(), SessionError> {
    if now + skew < s.started_at {
        return Err(SessionError::BeforeStart {
            id: s.id.clone(),
            now,
            started_at: s.started_at,
        });
    }
    Ok(())
}

impl Sessions<'_> {
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

    /// One page of [`Self::list`]: at most `limit` sessions listed after
    /// session `after`; the first page (no `after`) records due expiries
    /// first, as `list` does.
    pub fn list_page(
        &self,
        tenant: &str,
        active_only: bool,
        after: Option<&str>,
        limit: usize,
        now: DateTime<Utc>,
    ) -> Result<Vec<SessionRecord>, SessionError> {
        if after.is_none() {
            self.sweep(now)?;
        }
        Ok(self.store.sessions_page(tenant, active_only, after, limit)?)
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
        if pre.is_pending() && !pre.is_due(now) {
            return Err(SessionError::Pending { id: id.to_string() });
        }
        not_before_start(&pre, now, self.integrity.max_ahead())?;
        let policy = self.policy(&pre.tenant, None)?;
        let reference = &policy.reference;
        // Asked outside the write transaction (see `start`), on the facts
        // as read (reason, domain and parent never change; principals
        // change only by `update_principal`, which asks again itself).
        let mut req = self.restart_request(&pre, now)?;
        req.ttl_seconds = Some(ttl);
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
                // An approved session needs no second approval to be
                // extended: a pending answer grants as an allow would.
                if decision.is_granted() {
                    let granted = decision.lease().map_or(ttl, |l| l.ttl_seconds());
                    let extension = s.extended(granted, now);
                    kept_expiry = extension.kept;
                    if extension.kept {
                        event.note = Some(format!(
                            "the extension would end the session at {} instead of {}: its expiry is kept",
                            extension.proposed.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                            extension
                                .session
                                .expires_at
                                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                        ));
                    }
                    event.expires_at = Some(extension.session.expires_at);
                    change.update = Some(extension.session);
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
    /// returns those this call recorded (not those another process, sweeping
    /// at the same time, recorded first).
    pub fn sweep(&self, now: DateTime<Utc>) -> Result<Vec<SessionRecord>, SessionError> {
        let now = secs(now);
        let mut ended = Vec::new();
        for id in self.store.due(now)? {
            let (s, (), expired) =
                self.transition_expiring(&id, now, |_| (Change::default(), ()), |_| (Change::default(), ()))?;
            if expired {
                ended.push(s);
            }
        }
        Ok(ended)
    }
}
