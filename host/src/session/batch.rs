//! `authorize_batch`: many actions answered with one wait.
//!
//! Why: a durable `authorize` blocks its thread until the audit row is
//! committed and the log fsync'd, so a caller needs one blocked thread per
//! call in flight, and on two cores blocking and waking a thread per call
//! costs more than the decision itself (see `BENCHMARKS.md`). A gateway
//! that already holds many requests hands them over together: each is
//! decided on the caller's thread as `authorize` would (the session from
//! the cache, the policy outside any transaction, the row digested here),
//! then all their rows go to the store at once
//! ([`Store::append_actions`](crate::store::Store::append_actions)) and the
//! caller waits once, until every row is committed and durable.
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

use super::{Authorization, SessionError, Sessions, changes::secs};
use crate::decision::Decision;
use crate::store::{ActionRecord, StoreError};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// At most this many calls per [`Sessions::authorize_batch`]: the audit
/// writer's largest transaction, so a batch costs at most two commits, and
/// a bound on how long one batch keeps its caller waiting. A larger batch
/// is refused ([`SessionError::BatchTooLarge`]), not split: the caller
/// chooses how to split it.
pub const MAX_BATCH_CALLS: usize = 4096;

/// One call of [`Sessions::authorize_batch`]: the arguments of one
/// [`Sessions::authorize`].
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
    entry: Arc<super::authorize::Active>,
    decision: Decision,
}

/// The batch's answers as they come, and the decided calls not yet committed.
struct Pending<'c, 'a> {
    calls: &'c [ActionCall<'a>],
    answers: Vec<Option<Result<Authorization, SessionError>>>,
    decided: Vec<Decided>,
    records: Vec<ActionRecord>,
}

impl Sessions {
    /// [`Sessions::authorize`] for each of `calls`, in order, with one
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

    /// `authorize_batch`; with `tenant`, a session of another tenant is
    /// answered as unknown.
    pub(super) fn authorize_calls(
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
        let mut p = Pending {
            calls,
            answers: (0..calls.len()).map(|_| None).collect(),
            decided: Vec::with_capacity(calls.len()),
            records: Vec::with_capacity(calls.len()),
        };
        for (i, c) in calls.iter().enumerate() {
            let now = secs(c.now);
            let entry = match self.entry(c.session) {
                // A session's tenant never changes: the cached one will do.
                Ok(e) if tenant.is_some_and(|t| t != e.session().tenant) => {
                    p.answers[i] = Some(Err(StoreError::UnknownSession(c.session.to_string()).into()));
                    continue;
                }
                Ok(e) => e,
                Err(e) => {
                    p.answers[i] = Some(Err(e));
                    continue;
                }
            };
            match self.decide(&entry, c.action, c.resource, now) {
                Ok(Some((decision, record))) => {
                    p.decided.push(Decided {
                        call: i,
                        entry,
                        decision,
                    });
                    p.records.push(record);
                }
                Ok(None) => {
                    // Ended or due: the calls before it go first, in order.
                    self.commit_decided(&mut p);
                    p.answers[i] = Some(self.authorize_in_transaction(c.session, c.action, c.resource, now));
                }
                Err(e) => p.answers[i] = Some(Err(e)),
            }
        }
        self.commit_decided(&mut p);
        Ok(p.answers
            .into_iter()
            .map(|a| a.unwrap_or_else(|| Err(StoreError::Contract("a call of the batch was not answered").into())))
            .collect())
    }

    /// Hands the rows of the calls decided so far to the store at once,
    /// waits, and answers them.
    fn commit_decided(&self, p: &mut Pending<'_, '_>) {
        if p.records.is_empty() {
            return;
        }
        let mut appended = self.store.append_actions(std::mem::take(&mut p.records)).into_iter();
        for d in p.decided.drain(..) {
            let c = &p.calls[d.call];
            let answer = match appended.next() {
                Some(Ok(a)) => self.settle(&d.entry, d.decision, a, c.action, c.resource, secs(c.now)),
                Some(Err(e)) => Err(e.into()),
                None => Err(StoreError::Contract("`append_actions` answered fewer calls than it was given").into()),
            };
            p.answers[d.call] = Some(answer);
        }
    }
}
