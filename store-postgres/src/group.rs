//! Group commit across callers: the appends of actions that arrive while a
//! transaction is being written wait, and the next writer commits all of
//! them in one transaction. On PostgreSQL every commit of a tenant's rows
//! holds the tenant's chain-head lock until it is committed, so a tenant's
//! appends go one commit at a time, in every replica together: what a
//! commit carries, and how long it holds the head, is what the throughput
//! is. The WAL flush that makes a group durable comes after the head is
//! released (`native::durable`), so flushes of successive groups overlap.
//!
//! There is no writer thread: a caller that finds no one writing becomes
//! the writer, takes what is queued (its own call among it, up to
//! [`MAX_GROUP`] calls), commits it and hands each caller its answers; a
//! caller whose answers are not there yet when the writer is done may
//! become the next writer.
//!
//! There is one queue per tenant (of a call's first row): tenants' chains
//! are independent, so their commits run side by side, in this replica and
//! the others, instead of one transaction locking every tenant's head.
//!
//! **The rows of one group** ([`append`]): actions' audit rows, the hot
//! path, many calls in one transaction (the
//! group commit the trait allows, [`SessionStore::append_actions`]), and
//! generic AuthZEN answers' rows, which belong to no session and are
//! appended without a session check.
//!
//! A batch first takes its sessions' rows `FOR SHARE`, in id order: an
//! end, a revoke or an expiry (which takes the row `FOR UPDATE`) then
//! waits for the batch, or commits first and the batch sees it; two
//! batches do not wait for each other on a session. Only then are the
//! tenants' chain heads locked, so no transaction holds a head while it
//! waits for a session (a change holds its session, then the head): no
//! cycle. Every record whose session is active and not past its deadline
//! at the call's `now` is appended, the others are answered
//! [`ActionAppended::Inactive`].
//!
//! [`SessionStore::append_actions`]: standin::store::SessionStore::append_actions

use crate::PostgresStore;
use crate::audit::Appender;
use crate::native::prepared::{Prepared, Writer};
use chrono::{DateTime, Utc};
use postgres::Transaction;
use standin::store::{ActionAppended, ActionRecord, Integrity, LATENCY_BUCKETS, StoreError};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

/// Calls in one transaction at most (a caller's own calls are never split).
pub(crate) const MAX_GROUP: usize = 8192;

type Answers = Vec<Result<ActionAppended, StoreError>>;

/// A record to append and whether its session must be active: false for
/// rows of no session (a generic AuthZEN answer's,
/// [`SessionStore::append_events`]), which are appended unchecked.
///
/// [`SessionStore::append_events`]: standin::store::SessionStore::append_events
pub(crate) type Pending = (ActionRecord, bool);

/// The queue of appends waiting for a commit.
#[derive(Debug, Default)]
pub(crate) struct Group {
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct State {
    queue: VecDeque<(u64, Vec<Pending>)>,
    answers: HashMap<u64, Answers>,
    writing: bool,
    next: u64,
}

impl Group {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Gives the writer's role back even if the commit panicked.
struct Writing<'a>(&'a Group);

impl Drop for Writing<'_> {
    fn drop(&mut self) {
        self.0.lock().writing = false;
        self.0.changed.notify_all();
    }
}

/// The queues, by tenant.
#[derive(Debug, Default)]
pub(crate) struct Groups(Mutex<HashMap<String, Arc<Group>>>);

impl Groups {
    fn of(&self, tenant: &str) -> Arc<Group> {
        let mut groups = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(g) = groups.get(tenant) {
            return g.clone();
        }
        let g = Arc::new(Group::default());
        groups.insert(tenant.to_string(), g.clone());
        g
    }
}

impl PostgresStore {
    /// Appends `records` with whatever other callers of the same tenant
    /// queued meanwhile, in one transaction; answers `records`' results,
    /// in order.
    ///
    /// The writer gives its role back once its transaction is committed,
    /// before the WAL flush that makes it durable (see `native::durable`): the next
    /// group commits meanwhile, and answers are handed out after the flush.
    pub(crate) fn append_grouped(&self, records: Vec<Pending>) -> Answers {
        let tenant = records
            .iter()
            .find_map(|(r, _)| r.audit.first())
            .map_or("", |e| e.tenant.as_str());
        let group = &*self.groups.of(tenant);
        let mut state = group.lock();
        let id = state.next;
        state.next += 1;
        state.queue.push_back((id, records));
        loop {
            if let Some(answers) = state.answers.remove(&id) {
                return answers;
            }
            // Writing, or this call's group taken by a writer that is
            // flushing it: its answers come with a notification.
            if state.writing || state.queue.is_empty() {
                state = group.changed.wait(state).unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            state.writing = true;
            let mut jobs = Vec::new();
            let mut calls = 0;
            while let Some((_, next)) = state.queue.front() {
                if !jobs.is_empty() && calls + next.len() > MAX_GROUP {
                    break;
                }
                let Some(job) = state.queue.pop_front() else { break };
                calls += job.1.len();
                jobs.push(job);
            }
            drop(state);
            let mut taken = Taken {
                group,
                shares: jobs.iter().map(|(id, r)| (*id, r.len())).collect(),
            };
            let writing = Writing(group);
            let began = std::time::Instant::now();
            let committed = self.commit_many(jobs.into_iter().flat_map(|(_, r)| r).collect());
            drop(writing);
            let answers = self.flushed(committed, calls, began);
            taken.answer(answers);
            state = group.lock();
        }
    }
}

/// The calls a writer took from the queue: their answers, or errors if
/// the writer panicked before it had them, are handed out when it goes.
struct Taken<'a> {
    group: &'a Group,
    shares: Vec<(u64, usize)>,
}

impl Taken<'_> {
    fn answer(&mut self, answers: Answers) {
        let mut answers = answers.into_iter();
        let mut state = self.group.lock();
        for (id, n) in self.shares.drain(..) {
            state.answers.insert(id, answers.by_ref().take(n).collect());
        }
        drop(state);
        self.group.changed.notify_all();
    }
}

impl Drop for Taken<'_> {
    fn drop(&mut self) {
        if self.shares.is_empty() {
            return;
        }
        let n: usize = self.shares.iter().map(|(_, n)| n).sum();
        self.answer(failed(n, "the group commit's writer stopped"));
    }
}

/// A group commit's statements, prepared on `c` (see `native::prepared`).
pub(crate) fn prepare(c: &mut postgres::Client) -> Result<Prepared, StoreError> {
    use postgres::types::Type;
    Ok(Prepared {
        share: c
            .prepare_typed(crate::sessions::SHARE.as_str(), &[Type::TEXT_ARRAY])
            .map_err(crate::db)?,
        lock: c
            .prepare_typed(crate::audit::LOCK, &[Type::TEXT_ARRAY])
            .map_err(crate::db)?,
        insert_moving: c
            .prepare_typed(crate::audit::INSERT_MOVING.as_str(), &crate::audit::moving_types())
            .map_err(crate::db)?,
    })
}

/// What each record became, in order.
pub(crate) fn append(
    tx: &mut Transaction<'_>,
    prepared: &Prepared,
    records: Vec<Pending>,
    integrity: Arc<Integrity>,
) -> Result<Vec<Result<ActionAppended, StoreError>>, StoreError> {
    let mut ids: Vec<&str> = records
        .iter()
        .filter(|(_, in_session)| *in_session)
        .map(|(r, _)| r.session.as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    // The whole rows, so their tags are checked: a row a database writer
    // set back to active allows nothing. A deadline is never past 24 h
    // from the start (S1), whatever `expires_at` says.
    let mut sessions = HashMap::new();
    for (id, row) in crate::sessions::share(tx, prepared, &ids, &integrity)? {
        let open = row.ok().filter(|s| s.is_active()).map(|s| s.hard_deadline());
        sessions.insert(id, (open.is_some(), open.unwrap_or(DateTime::<Utc>::MIN_UTC)));
    }
    // The heads are locked before the deadlines are looked at: a call that
    // waited past its caller's deadline for a head writes nothing.
    let mut appender = Appender::prepared(integrity, prepared.clone());
    let mut tenants: Vec<String> = records
        .iter()
        .filter_map(|(r, _)| r.audit.first().map(|e| e.tenant.clone()))
        .collect();
    tenants.sort_unstable();
    tenants.dedup();
    for tenant in &tenants {
        appender.head(tx, tenant)?;
    }
    let mut answers: Vec<Option<Result<ActionAppended, StoreError>>> = Vec::with_capacity(records.len());
    let (mut events, mut counts) = (Vec::new(), Vec::new());
    for (r, in_session) in records {
        if !in_session {
            counts.push(r.audit.len());
            events.extend(r.audit);
            answers.push(None);
            continue;
        }
        match sessions.get(&r.session) {
            None => answers.push(Some(Err(StoreError::UnknownSession(r.session)))),
            Some(&(active, _)) if active && standin::deadline::passed(r.answer_by) => {
                answers.push(Some(Ok(ActionAppended::Late)));
            }
            Some(&(active, expires_at)) if active && r.now < expires_at => {
                counts.push(r.audit.len());
                events.extend(r.audit);
                answers.push(None);
            }
            Some(_) => answers.push(Some(Ok(ActionAppended::Inactive))),
        }
    }
    let mut sealed = appender.append_all(tx, events)?.into_iter();
    let mut counts = counts.into_iter();
    Ok(answers
        .into_iter()
        .map(|a| {
            a.unwrap_or_else(|| {
                let n = counts.next().unwrap_or(0);
                Ok(ActionAppended::Committed(sealed.by_ref().take(n).collect()))
            })
        })
        .collect())
}

/// `n` answers saying why none of them is known to be committed.
fn failed(n: usize, why: &str) -> Answers {
    (0..n).map(|_| Err(StoreError::Writer(why.to_string()))).collect()
}

/// A group's transaction, committed: its answers and the connection its
/// commit is flushed on, or why it failed.
type Committed = Result<(Answers, Writer), StoreError>;

impl PostgresStore {
    /// Appends `records` in one transaction, committed without waiting for
    /// its flush (see `native::durable`).
    fn commit_many(&self, records: Vec<Pending>) -> Committed {
        let integrity = self.integrity();
        self.write_unflushed(|tx, prepared| append(tx, prepared, records, integrity))
    }

    /// One answer per record of a [`Self::commit_many`], once its commit
    /// is durable, in order (each an error when the transaction failed or
    /// its flush did: nothing is answered as committed that may not be).
    fn flushed(&self, committed: Committed, calls: usize, began: std::time::Instant) -> Answers {
        let durable = committed.and_then(|(answers, client)| {
            self.flush_and_give_back(client)?;
            Ok(answers)
        });
        let took = began.elapsed();
        match durable {
            Ok(answers) => {
                self.count_commit(took, answers.len(), true);
                answers
            }
            Err(e) => failed(calls, &e.to_string()),
        }
    }

    /// Counts one group commit of `calls` actions that took `took`.
    pub(crate) fn count_commit(&self, took: std::time::Duration, calls: usize, committed: bool) {
        if !committed {
            return;
        }
        let mut stats = self.stats.lock().unwrap_or_else(PoisonError::into_inner);
        stats.commits += 1;
        stats.rows += calls as u64;
        let secs = took.as_secs_f64();
        stats.commit_seconds += secs;
        if let Some(i) = LATENCY_BUCKETS.iter().position(|b| secs <= *b) {
            stats.commit_buckets[i] += 1;
        }
    }
}
