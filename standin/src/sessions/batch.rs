//! `authorize_batch`: many actions answered with one wait.
//!
//! Why: a durable `authorize` blocks its thread until the audit row is
//! committed and the log fsync'd, so a caller needs one blocked thread per
//! call in flight, and on two cores blocking and waking a thread per call
//! costs more than the decision itself (see `BENCHMARKS.md`). A gateway
//! that already holds many requests hands them over together: each is
//! decided on the caller's thread as `authorize` would (the session from
//! the cache, the policy outside any transaction, the row digested here)
//! and its rows handed to the store
//! ([`SessionStore::append_actions`](crate::store::SessionStore::append_actions)), which
//! takes them as they are made, so the writer commits the first while the
//! caller decides the next; the caller then waits once, until every row
//! is committed and durable.
//!
//! The answers are those of `authorize` called for each call in order:
//! the store checks each row's session is still active when it commits
//! it, and a call whose session ended meanwhile is answered and recorded
//! as denied `session-ended` (or `session-expired`) after the batch's
//! other rows. To keep the trail in call order, a call on a session
//! already known ended (or due) first commits the calls decided before it,
//! then records its own deny in its own transaction, as `authorize` does:
//! such calls cost a wait each.
//!
//! One call's failure (an unknown session, a policy that cannot be
//! loaded, a failed commit) is that call's answer, not the batch's.

use super::authorize::Active;
use super::{Authorization, SessionError, Sessions, changes::secs};
use crate::MAX_ACTIONS_PER_CALL;
use crate::Standin;
use crate::decision::Decision;
use crate::store::StoreError;
use crate::trace;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Instant;

/// At most this many calls per [`Sessions::authorize_batch`](crate::sessions::Sessions::authorize_batch): a bound on
/// how long one batch keeps its caller (and the calls before it in the
/// writer's queue) waiting, the size of the writer's largest transaction.
/// A larger batch is refused ([`SessionError::BatchTooLarge`]), not split:
/// the caller chooses how to split it.
pub const MAX_BATCH_CALLS: usize = 4096;

/// One call of [`Sessions::authorize_batch`](crate::sessions::Sessions::authorize_batch): the arguments of one
/// [`Sessions::authorize`](crate::sessions::Sessions::authorize).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionCall<'a> {
    pub session: &'a str,
    pub action: &'a str,
    pub resource: Option<&'a str>,
    pub now: DateTime<Utc>,
}

impl<'a> ActionCall<'a> {
    pub fn new(session: &'a str, action: &'a str, resource: Option<&'a str>, now: DateTime<Utc>) -> Self {
        Self {
            session,
            action,
            resource,
            now,
        }
    }
}

/// A call decided and waiting for its rows' commit.
struct Decided {
    call: usize,
    entry: Arc<Active>,
    decision: Decision,
    /// When its row was handed to the store (recording a trace only).
    handed: Option<Instant>,
}

impl Standin {
    /// `authorize_batch`; with `tenant`, a session of another tenant is
    /// answered as unknown.
    pub(crate) fn authorize_calls(
        &self,
        tenant: Option<&str>,
        calls: &[ActionCall<'_>],
    ) -> Result<Vec<Result<Authorization, SessionError>>, SessionError> {
        if calls.len() > MAX_BATCH_CALLS {
            return Err(SessionError::BatchTooLarge {
                calls: calls.len(),
                max: MAX_BATCH_CALLS,
            });
        }
        let mut answers: Vec<Option<Result<Authorization, SessionError>>> = (0..calls.len()).map(|_| None).collect();
        // Decisions made ahead: a run of calls on one session at one time
        // is decided in one policy call (`decide_many`).
        let mut ahead: Vec<Option<Decision>> = (0..calls.len()).map(|_| None).collect();
        let mut planned = 0;
        let mut next = 0;
        while next < calls.len() {
            // The calls from `next` on, decided as the store takes their
            // rows, up to the first on a session known ended (or due).
            let mut decided = Vec::new();
            let mut inactive = None;
            let mut records = std::iter::from_fn(|| {
                while let Some(c) = calls.get(next) {
                    let i = next;
                    next += 1;
                    let now = secs(c.now);
                    trace::at_call(Some(i));
                    let decision = self.entry(c.session).and_then(|entry| {
                        // A session's tenant never changes: the cached one will do.
                        if tenant.is_some_and(|t| t != entry.session().tenant) {
                            return Err(StoreError::UnknownSession(c.session.to_string()).into());
                        }
                        if i >= planned {
                            planned = i + self.decide_run(&entry, &calls[i..], now, &mut ahead[i..]);
                        }
                        Ok(self
                            .decide(&entry, c.action, c.resource, now, ahead[i].take())?
                            .map(|d| (entry, d)))
                    });
                    trace::at_call(None);
                    match decision {
                        Ok(Some((entry, (decision, record)))) => {
                            decided.push(Decided {
                                call: i,
                                entry,
                                decision,
                                handed: trace::start(),
                            });
                            return Some(record);
                        }
                        Ok(None) => {
                            inactive = Some(i);
                            return None;
                        }
                        Err(e) => answers[i] = Some(Err(e)),
                    }
                }
                None
            })
            .fuse();
            let mut appended = self.store.append_actions(&mut records).into_iter();
            let group = decided.len() as i64;
            for d in decided {
                let c = &calls[d.call];
                trace::at_call(Some(d.call));
                trace::phase("audit.commit", d.handed, || {
                    vec![("standin.audit.group_size", group.into())]
                });
                trace::at_call(None);
                answers[d.call] = Some(match appended.next() {
                    Some(Ok(a)) => self.settle(&d.entry, d.decision, a, c.action, c.resource, secs(c.now)),
                    Some(Err(e)) => Err(e.into()),
                    None => Err(StoreError::Contract("`append_actions` answered fewer calls than it was given").into()),
                });
            }
            // Ended or due: recorded after the calls before it, as `authorize` does.
            if let Some(i) = inactive {
                let c = &calls[i];
                trace::at_call(Some(i));
                answers[i] = Some(self.authorize_in_transaction(c.session, c.action, c.resource, secs(c.now)));
                trace::at_call(None);
            }
        }
        Ok(answers
            .into_iter()
            .map(|a| a.unwrap_or_else(|| Err(StoreError::Contract("a call of the batch was not answered").into())))
            .collect())
    }
}

impl Standin {
    /// Decides ahead the run of calls at the start of `calls` that share
    /// the first's session and time (at most [`MAX_ACTIONS_PER_CALL`]),
    /// into `ahead`, when there are two or more and the session can take
    /// them together; otherwise leaves them to be decided one by one
    /// (which also reports a policy that cannot be loaded). Returns the
    /// run's length: the calls not to plan again.
    fn decide_run(
        &self,
        entry: &Active,
        calls: &[ActionCall<'_>],
        now: DateTime<Utc>,
        ahead: &mut [Option<Decision>],
    ) -> usize {
        let first = &calls[0];
        let run = calls
            .iter()
            .take(MAX_ACTIONS_PER_CALL)
            .take_while(|c| c.session == first.session && secs(c.now) == now)
            .count();
        if run < 2 {
            return 1;
        }
        let actions: Vec<(&str, Option<&str>)> = calls[..run].iter().map(|c| (c.action, c.resource)).collect();
        if let Ok(Some(decisions)) = self.decide_many(entry, &actions, now) {
            for (slot, decision) in ahead.iter_mut().zip(decisions) {
                *slot = Some(decision);
            }
        }
        run
    }
}

impl Sessions<'_> {
    /// [`Sessions::authorize`](crate::sessions::Sessions::authorize) for each of `calls`, in order, with one
    /// wait: every audit row is committed (and, in durable mode, fsync'd)
    /// when this returns. One answer per call, in order; a call's failure
    /// is its own answer. Only a batch of more than [`MAX_BATCH_CALLS`]
    /// calls is refused as a whole. See the module documentation.
    pub fn authorize_batch(
        &self,
        calls: &[ActionCall<'_>],
    ) -> Result<Vec<Result<Authorization, SessionError>>, SessionError> {
        self.authorize_calls(None, calls)
    }
}
