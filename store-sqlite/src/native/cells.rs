//! How the audit writer answers its callers: one [`Cell`] per submission
//! (one call, or a batch's calls), one [`Reply`] per call in it.
//!
//! Why a cell with slots rather than one per call: a caller with many
//! calls in hand (`authorize_batch`) sleeps once and is woken once, when
//! the last of its calls is answered, instead of once per call; on this
//! kind of machine the sleep and the wake-up cost more than the call's
//! decision. The writer answers a batch's calls after its commit when
//! commits are durable by themselves (no log to fsync), and otherwise
//! hands their [`Answer`]s to the sync thread, which sends them after the
//! log's fsync (`sync`).

use crate::lock;
use standin::store::{ActionAppended, StoreError};
use std::sync::{Arc, Condvar, Mutex};

/// The answers of one durable submission (one call, or a batch of them):
/// slots opened by the caller as it queues calls, set one by one by the
/// writer or the sync thread; the caller, once it queued its last call,
/// waits until every slot is set, woken once. A mutex and a
/// condition variable, not a channel: the standard channel spins and
/// yields before it sleeps, which with dozens of waiting callers on two
/// cores burnt more CPU than the rest of the call.
#[derive(Debug, Default)]
pub(crate) struct Cell {
    slots: Mutex<Slots>,
    ready: Condvar,
}

#[derive(Debug, Default)]
struct Slots {
    answers: Vec<Option<Result<ActionAppended, StoreError>>>,
    /// Slots not yet set.
    pending: usize,
}

impl Cell {
    /// Opens `n` more slots; returns the first one's index.
    pub(crate) fn open(&self, n: usize) -> usize {
        let mut slots = lock(&self.slots);
        let first = slots.answers.len();
        slots.answers.extend((0..n).map(|_| None));
        slots.pending += n;
        first
    }

    fn set(&self, slot: usize, answer: Result<ActionAppended, StoreError>) {
        let mut slots = lock(&self.slots);
        if let Some(a @ None) = slots.answers.get_mut(slot) {
            *a = Some(answer);
            slots.pending -= 1;
            if slots.pending == 0 {
                drop(slots);
                self.ready.notify_one();
            }
        }
    }

    pub(crate) fn wait(&self) -> Vec<Result<ActionAppended, StoreError>> {
        let mut slots = lock(&self.slots);
        while slots.pending > 0 {
            slots = self
                .ready
                .wait(slots)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        std::mem::take(&mut slots.answers)
            .into_iter()
            .map(|a| a.unwrap_or_else(|| Err(StoreError::Writer("a call was not answered".to_string()))))
            .collect()
    }
}

/// The writing end of one slot of a [`Cell`]; dropped unanswered, it
/// answers that the writer stopped.
#[derive(Debug)]
pub(crate) struct Reply(Option<(Arc<Cell>, usize)>);

impl Reply {
    /// The reply that sets `slot` of `cell`.
    pub(crate) fn to(cell: Arc<Cell>, slot: usize) -> Self {
        Self(Some((cell, slot)))
    }

    pub(crate) fn send(mut self, answer: Result<ActionAppended, StoreError>) {
        if let Some((cell, slot)) = self.0.take() {
            cell.set(slot, answer);
        }
    }
}

impl Drop for Reply {
    fn drop(&mut self) {
        if let Some((cell, slot)) = self.0.take() {
            cell.set(
                slot,
                Err(StoreError::Writer("the audit writer has stopped".to_string())),
            );
        }
    }
}

/// What a waiting caller will be told once its batch is durable.
#[derive(Debug)]
pub(crate) struct Answer {
    reply: Reply,
    outcome: ActionAppended,
}

impl Answer {
    pub(crate) fn new(reply: Reply, outcome: ActionAppended) -> Self {
        Self { reply, outcome }
    }

    pub(crate) fn send(self) {
        self.reply.send(Ok(self.outcome));
    }

    pub(crate) fn fail(self, why: &str) {
        self.reply.send(Err(StoreError::Writer(why.to_string())));
    }
}
