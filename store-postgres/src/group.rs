//! Group commit across callers: the appends of actions that arrive while a
//! transaction is being written wait, and the next writer commits all of
//! them in one transaction. On PostgreSQL every commit of a tenant's rows
//! holds the tenant's chain-head lock until its WAL is flushed, so a
//! tenant's appends go one commit at a time, in every replica together:
//! what a commit carries is what the throughput is.
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

use crate::PostgresStore;
use standin::store::{ActionAppended, ActionRecord, StoreError};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

/// Calls in one transaction at most (a caller's own calls are never split).
pub(crate) const MAX_GROUP: usize = 8192;

type Answers = Vec<Result<ActionAppended, StoreError>>;

/// The queue of appends waiting for a commit.
#[derive(Debug, Default)]
pub(crate) struct Group {
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct State {
    queue: VecDeque<(u64, Vec<ActionRecord>)>,
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
    pub(crate) fn append_grouped(&self, records: Vec<ActionRecord>) -> Answers {
        let tenant = records
            .iter()
            .find_map(|r| r.audit.first())
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
            if state.writing {
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
            let writing = Writing(group);
            let shares: Vec<(u64, usize)> = jobs.iter().map(|(id, r)| (*id, r.len())).collect();
            let mut answers = self
                .append_many(jobs.into_iter().flat_map(|(_, r)| r).collect())
                .into_iter();
            state = group.lock();
            for (id, n) in shares {
                state.answers.insert(id, answers.by_ref().take(n).collect());
            }
            drop(state);
            drop(writing);
            state = group.lock();
        }
    }
}
