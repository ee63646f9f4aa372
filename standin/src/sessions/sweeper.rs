//! The background sweeper: a thread that records due sessions as expired,
//! so expiry does not wait for someone to touch the session.
//!
//! It sleeps until the earliest deadline of an active session (as
//! mini-redis's `purge_task` does), not on a fixed tick: an idle host does
//! no work, and an expiry is recorded when it is due. A start or an
//! extension in this process wakes it, since the new deadline may be the
//! earliest; sessions started by other processes are seen at the latest
//! after `every`, the longest it sleeps.
//!
//! Where many processes share the store, one sweeps at a time
//! ([`SessionStore::lead_sweeps`](crate::store::SessionStore::lead_sweeps)); the others
//! ask again every `every`, so one takes over within that when the leader
//! dies. Sweeping twice would be harmless (an expiry is decided in its
//! commit) but wasted.

use crate::Standin;
use crate::worker::{Stop, Worker};
use chrono::Utc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

/// Wakes the sweeper: a new deadline, or time to stop.
#[derive(Debug, Default)]
pub(crate) struct Wake {
    /// Bumped at every wake-up, so a wake between two waits is not lost.
    generation: Mutex<u64>,
    cond: Condvar,
    /// What the sweeper last found ([`SweeperRole`] as a number).
    role: AtomicU8,
}

/// What this process's sweeper does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SweeperRole {
    /// No sweeper runs in this process.
    Stopped,
    /// It sweeps (the only one, or the elected one where the store is shared).
    Leader,
    /// Another process sweeps; this one waits to take over.
    Follower,
}

impl Wake {
    /// A deadline changed (a start or an extension).
    pub(crate) fn notify(&self) {
        *self.generation.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        self.cond.notify_all();
    }

    /// Sleeps up to `timeout`, or until [`Self::notify`] after `seen`;
    /// returns the generation now.
    fn wait(&self, seen: u64, timeout: Duration) -> u64 {
        let guard = self.generation.lock().unwrap_or_else(PoisonError::into_inner);
        let (guard, _) = self
            .cond
            .wait_timeout_while(guard, timeout, |g| *g == seen)
            .unwrap_or_else(PoisonError::into_inner);
        *guard
    }

    fn current(&self) -> u64 {
        *self.generation.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Standin {
    /// What this process's sweeper (if any) does now.
    pub fn sweeper_role(&self) -> SweeperRole {
        match self.wake.role.load(Ordering::Relaxed) {
            1 => SweeperRole::Leader,
            2 => SweeperRole::Follower,
            _ => SweeperRole::Stopped,
        }
    }

    /// Starts a thread that records due sessions as expired with the system
    /// clock: it sleeps until the earliest deadline, and at most `every`
    /// (the longest a session started by another process waits). It stops
    /// when the returned [`Sweeper`] is dropped.
    pub fn spawn_sweeper(self: &Arc<Self>, every: Duration) -> Sweeper {
        let wake = self.wake.clone();
        let sessions = Arc::downgrade(self);
        let shared = Sweeping {
            stop: AtomicBool::new(false),
            wake: wake.clone(),
        };
        let worker = Worker::spawn("standin-sweeper", shared, move |shared| {
            let (flag, waker) = (&shared.stop, &shared.wake);
            let mut seen = waker.current();
            while !flag.load(Ordering::Relaxed) {
                let Some(sessions) = sessions.upgrade() else { break };
                let now = Utc::now();
                // Not knowing is not leading: a store that cannot say
                // is asked again later.
                let leads = sessions.store.lead_sweeps().unwrap_or(false);
                waker.role.store(if leads { 1 } else { 2 }, Ordering::Relaxed);
                let sleep = if leads {
                    // A failed sweep is retried at the next wake-up;
                    // touching a session also expires it.
                    let _ = sessions.sessions().sweep(now);
                    match sessions.store.next_deadline() {
                        Ok(Some(at)) => (at - now).to_std().unwrap_or(Duration::ZERO).min(every),
                        _ => every,
                    }
                } else {
                    every
                };
                drop(sessions);
                // Deadlines are whole seconds: wake just after one.
                seen = waker.wait(seen, sleep + Duration::from_millis(5));
            }
        })
        .ok();
        Sweeper { worker, wake }
    }
}

/// The background sweeper; dropping it stops the thread.
#[derive(Debug)]
pub struct Sweeper {
    worker: Option<Worker<Sweeping>>,
    wake: Arc<Wake>,
}

/// What the sweeper's thread shares with its handle.
#[derive(Debug)]
struct Sweeping {
    stop: AtomicBool,
    wake: Arc<Wake>,
}

impl Stop for Sweeping {
    fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
        self.wake.notify();
    }
}

impl Drop for Sweeper {
    fn drop(&mut self) {
        drop(self.worker.take()); // stops and joins the thread
        self.wake.role.store(0, Ordering::Relaxed);
    }
}
