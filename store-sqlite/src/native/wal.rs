//! WAL checkpoints off the writer's thread.
//!
//! SQLite's automatic checkpoint runs inside the commit that takes the log
//! past `wal_autocheckpoint` pages (1000), on the committing connection: the
//! audit writer copied ~4 MB into the database file and fsync'd it while
//! every durable caller waited, a stall of several milliseconds every few
//! thousand rows (it was most of `authorize`'s p99). So the write connection
//! never checkpoints (`wal_autocheckpoint = 0`); a thread with its own
//! connection runs a `PASSIVE` checkpoint, which does not block writers,
//! after commits, at most every [`PACE`].
//!
//! Under sustained writes a passive checkpoint may never find the whole log
//! copied, and a log only starts over from its beginning when it was: once
//! the log holds more than [`RESTART_FRAMES`] frames, the thread follows up
//! with a `RESTART` checkpoint, which waits for the writer to be between two
//! transactions, copies the short tail the passive one left, and lets the
//! next commit start the log over. Checkpoints never lose anything: every
//! frame they copy is committed and already in the log.

use crate::lock;
use rusqlite::Connection;
use standin::worker::{Stop, Worker};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// At most one checkpoint per this much time.
pub(crate) const PACE: Duration = Duration::from_millis(50);

/// Past this many frames in the log (about 64 MiB of 4 KiB pages), a
/// passive checkpoint is followed by a restarting one.
pub(crate) const RESTART_FRAMES: i64 = 4_096;

#[derive(Debug, Default)]
struct State {
    /// Commits since the last checkpoint started.
    dirty: bool,
    stop: bool,
}

#[derive(Debug, Default)]
struct Shared {
    state: Mutex<State>,
    wake: Condvar,
}

/// The checkpoint thread; dropping it stops the thread.
#[derive(Debug)]
pub(crate) struct Checkpointer(Worker<Shared>);

impl Checkpointer {
    /// Starts the thread on `conn`, a connection of its own to the database.
    pub(crate) fn spawn(conn: Connection) -> std::io::Result<Self> {
        Worker::spawn("standin-checkpoint", Shared::default(), move |s| run(s, &conn)).map(Self)
    }

    /// A transaction committed: the log has frames to copy.
    pub(crate) fn committed(&self) {
        let mut state = lock(&self.0.shared().state);
        if !state.dirty {
            state.dirty = true;
            drop(state);
            self.0.shared().wake.notify_one();
        }
    }
}

impl Stop for Shared {
    fn stop(&self) {
        lock(&self.state).stop = true;
        self.wake.notify_one();
    }
}

fn run(shared: &Shared, conn: &Connection) {
    loop {
        {
            let mut state = lock(&shared.state);
            while !state.dirty && !state.stop {
                state = shared
                    .wake
                    .wait(state)
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
            }
            if state.stop {
                return;
            }
            state.dirty = false;
        }
        // A checkpoint that fails (busy, or an I/O error) is tried again
        // after the next commit; the log keeps everything meanwhile.
        let frames = checkpoint(conn, "PASSIVE");
        if frames.is_some_and(|f| f > RESTART_FRAMES) {
            checkpoint(conn, "RESTART");
        }
        // Pace: commits during this time are copied by the next checkpoint.
        let until = Instant::now() + PACE;
        let mut state = lock(&shared.state);
        while !state.stop {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            state = shared
                .wake
                .wait_timeout(state, left)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
    }
}

/// Runs one checkpoint; the frames in the log, when it ran.
fn checkpoint(conn: &Connection, mode: &str) -> Option<i64> {
    conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |r| r.get::<_, i64>(1))
        .ok()
}
