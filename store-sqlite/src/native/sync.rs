//! Durability apart from the commit: the write connection commits without
//! fsync (`synchronous = NORMAL`) and the log (the `-wal` file) is fsync'd
//! by this module before anyone is told the commit happened.
//!
//! Why: with `synchronous = FULL` the audit writer thread itself waited
//! for each batch's fsync (~90 µs here) and then woke every caller of the
//! batch, one system call each, before it could start the next batch. Now
//! the writer commits batch N, hands its answers to the [`Syncer`] thread
//! and starts batch N+1 at once; the syncer fsyncs the log, which covers
//! every commit written before the fsync started (N and any earlier), then
//! answers those callers. One fsync covers as many batches as committed
//! while the previous one ran. (Holding small batches back while an fsync
//! runs, for fewer and bigger commits, was measured too: less CPU per call
//! but lower throughput below ~64 callers; see `BENCHMARKS.md`.)
//!
//! What does not change: a durable `authorize` (and every session change,
//! [`Log::sync`] inline) returns only after its commit is in the log and
//! the log was fsync'd, the same guarantee `synchronous = FULL` gave. A
//! commit may be visible to readers a moment before it is durable; a crash
//! then loses a suffix of the log, never a commit that was acknowledged,
//! since each acknowledgement waited for an fsync that began after its
//! commit. Checkpoints (their own connection, `synchronous = FULL`) fsync
//! the log before copying it into the database file.
//!
//! When the log cannot be opened (not WAL, or an in-memory database) the
//! store keeps `synchronous = FULL` and commits answer for themselves.

use super::cells::Answer;
use crate::{StoreError, lock};
use standin::worker::{Stop, Worker};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};

/// The database's write-ahead log, open for fsync.
#[derive(Debug)]
pub(crate) struct Log {
    file: File,
    path: PathBuf,
}

impl Log {
    /// The log of the database at `db` (SQLite's `<db>-wal`), if it exists.
    pub(crate) fn open(db: &Path) -> Option<Self> {
        let mut path = db.as_os_str().to_owned();
        path.push("-wal");
        let path = PathBuf::from(path);
        let file = File::options().read(true).write(true).open(&path).ok()?;
        Some(Self { file, path })
    }

    /// Flushes everything written to the log so far to the disk.
    pub(crate) fn sync(&self) -> Result<(), StoreError> {
        self.file.sync_data().map_err(|e| StoreError::Sync {
            path: self.path.display().to_string(),
            source: e,
        })
    }
}

#[derive(Debug, Default)]
struct State {
    /// Answers of committed batches, waiting for the log's fsync.
    answers: Vec<Answer>,
    /// A batch committed since the last fsync began (batched mode commits
    /// batches nobody waits for; they are synced all the same).
    dirty: bool,
    stop: bool,
    /// Set when an fsync failed: the log's state on disk is unknown, so
    /// every later commit is refused.
    failed: Option<String>,
}

#[derive(Debug, Default)]
struct Shared {
    state: Mutex<State>,
    work: Condvar,
}

/// The thread that fsyncs the log after the audit writer's commits and
/// then answers their callers.
#[derive(Debug)]
pub(crate) struct Syncer(Worker<Shared>);

impl Syncer {
    pub(crate) fn spawn(log: Arc<Log>) -> std::io::Result<Self> {
        Worker::spawn("standin-audit-sync", Shared::default(), move |s| run(s, &log)).map(Self)
    }

    /// A batch committed: answer `answers` once the log is fsync'd.
    pub(crate) fn committed(&self, answers: Vec<Answer>) {
        let mut state = lock(&self.0.shared().state);
        if let Some(why) = &state.failed {
            let why = why.clone();
            drop(state);
            for a in answers {
                a.fail(&why);
            }
            return;
        }
        state.answers.extend(answers);
        state.dirty = true;
        drop(state);
        self.0.shared().work.notify_one();
    }

    /// Why commits are refused, after a failed fsync.
    pub(crate) fn failed(&self) -> Option<String> {
        lock(&self.0.shared().state).failed.clone()
    }
}

/// Dropping the syncer syncs and answers what is pending, then stops the
/// thread.
impl Stop for Shared {
    fn stop(&self) {
        lock(&self.state).stop = true;
        self.work.notify_one();
    }
}

fn run(shared: &Shared, log: &Log) {
    loop {
        let (answers, failed) = {
            let mut state = lock(&shared.state);
            while !state.dirty && !state.stop {
                state = shared
                    .work
                    .wait(state)
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
            }
            if !state.dirty {
                return; // stopped, nothing pending
            }
            state.dirty = false;
            (std::mem::take(&mut state.answers), state.failed.clone())
        };
        if let Some(why) = failed {
            answers.into_iter().for_each(|a| a.fail(&why));
            continue;
        }
        match log.sync() {
            Ok(()) => answers.into_iter().for_each(Answer::send),
            Err(e) => {
                let why = format!("the audit log could not be made durable: {e}");
                lock(&shared.state).failed = Some(why.clone());
                for a in answers {
                    a.fail(&why);
                }
            }
        }
    }
}
