//! Group commit of actions' audit rows.
//!
//! `authorize` is the hot path: one audit row (two after a policy failure)
//! per call. Committing each in its own transaction costs one fsync per
//! call; here callers queue their rows and one writer thread appends
//! everything queued in one transaction per batch, so one fsync covers the
//! whole batch. While a batch commits, the next one queues up: the busier
//! the host, the bigger the batches. With a log to sync (a file), the
//! fsync and the answers are the `sync` thread's: it flushes batch N and
//! answers its callers while the writer appends batch N+1.
//!
//! - [`AuditMode::Durable`]: each caller waits until its batch committed
//!   and the log holding it was fsync'd, so an acknowledged row survives a
//!   crash. A caller with many calls in hand ([`Writer::submit_all`], for
//!   `authorize_batch`) queues them together and waits once for all of
//!   them: one sleep and one wake-up instead of one per call, which is
//!   most of what a durable call costs over a batched one. Before
//!   appending, the writer checks, in the batch's transaction, that the
//!   session is still active at the call's `now`; when it is not (an `end`,
//!   `revoke` or expiry committed after the caller read the session), it
//!   appends nothing for that call and answers [`ActionAppended::Inactive`].
//!   The deadlines it read are kept between batches: only a session change
//!   moves one, and every session change (in this process, or seen through
//!   `PRAGMA data_version` from another) drops them.
//! - [`AuditMode::Batched`]: the caller gets [`ActionAppended::Queued`] as
//!   soon as its rows are queued; the writer commits them in the background,
//!   as decided, without the check. A crash loses what was queued and not
//!   yet committed (at most [`MAX_QUEUED`] calls, usually one batch: the
//!   time of one commit). Dropping the store flushes the queue, and so does
//!   every session change before it commits ([`Writer::flush`]), so a
//!   session's `session.ended` comes after the actions this process
//!   answered before ending it.
//!
//! Rows of no session (generic AuthZEN answers, [`Writer::submit_events`])
//! are committed in the same batches, without the session check: a
//! question asked at volume costs a place in a batch, not a transaction
//! and an fsync of its own.
//!
//! The writer takes the same write connection lock as session changes, so
//! the audit chain has one order and each tenant's `seq` stays gapless.

use super::{Db, audit, lock, sessions};
use crate::native::cells::{Answer, Cell, Reply};
use crate::native::sync::{Log, Syncer};
use standin::audit::AuditEvent;
use standin::store::{ActionAppended, ActionRecord, AuditMode, AuditStats, LATENCY_BUCKETS, StoreError};
use standin::worker::{Stop, Worker};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};

/// At most this many calls wait in the queue; a batched caller finding it
/// full waits for the writer (back-pressure).
pub const MAX_QUEUED: usize = 16_384;

/// At most this many calls per transaction.
pub const MAX_BATCH: usize = 4_096;

/// A caller with many calls queues them this many at a time, as it makes
/// them: enough that a commit's fixed cost is shared, few enough that the
/// writer starts committing early.
const CHUNK: usize = 32;

/// Beyond this many cached session deadlines the cache starts over.
const MAX_DEADLINES: usize = 100_000;

#[derive(Debug)]
struct Job {
    record: ActionRecord,
    /// Whether its session must still be active: false for rows of no
    /// session ([`Writer::submit_events`]).
    in_session: bool,
    /// `None` in batched mode: nobody waits.
    reply: Option<Reply>,
}

#[derive(Debug, Default)]
struct Queue {
    jobs: Vec<Job>,
    stop: bool,
    /// Calls ever queued, and calls whose batch is done (committed or failed).
    pushed: u64,
    done: u64,
    /// The writer waits for work: a caller whose job may end the wait
    /// wakes it (waking is a system call, not paid by every caller).
    writer_waits: bool,
}

#[derive(Debug, Default)]
struct Shared {
    queue: Mutex<Queue>,
    /// The writer waits here for jobs.
    work: Condvar,
    /// Batched callers wait here for room in the queue.
    room: Condvar,
    /// [`Writer::flush`] waits here for batches to be done.
    flushed: Condvar,
    stats: Stats,
}

/// Commit figures, for [`Writer::stats`].
#[derive(Debug, Default)]
struct Stats {
    commits: AtomicU64,
    rows: AtomicU64,
    nanos: AtomicU64,
    buckets: [AtomicU64; LATENCY_BUCKETS.len()],
}

impl Stats {
    fn record(&self, rows: u64, took: std::time::Duration) {
        self.commits.fetch_add(1, Ordering::Relaxed);
        self.rows.fetch_add(rows, Ordering::Relaxed);
        self.nanos.fetch_add(took.as_nanos() as u64, Ordering::Relaxed);
        let secs = took.as_secs_f64();
        if let Some(i) = LATENCY_BUCKETS.iter().position(|b| secs <= *b) {
            self.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The writer thread and its queue.
#[derive(Debug)]
pub(super) struct Writer {
    worker: Worker<Shared>,
    mode: AuditMode,
}

impl Writer {
    /// Starts the writer thread. With a `syncer`, the write connection
    /// commits without fsync and the syncer makes each batch durable
    /// before answering it (see `sync`); without, each commit is durable
    /// by itself.
    pub(super) fn spawn(db: Arc<Mutex<Db>>, mode: AuditMode, log: Option<Arc<Log>>) -> Result<Self, StoreError> {
        let syncer = log
            .map(Syncer::spawn)
            .transpose()
            .map_err(|e| StoreError::Writer(format!("cannot start the audit sync thread: {e}")))?;
        // The syncer is dropped when the thread ends: it syncs and answers
        // what is pending first.
        let worker = Worker::spawn("standin-audit-writer", Shared::default(), move |s| {
            run(s, &db, mode, syncer.as_ref())
        })
        .map_err(|e| StoreError::Writer(format!("cannot start the audit writer: {e}")))?;
        Ok(Self { worker, mode })
    }

    pub(super) fn mode(&self) -> AuditMode {
        self.mode
    }

    /// The queue's depth and the commits' figures so far.
    pub(super) fn stats(&self) -> AuditStats {
        let stats = &self.worker.shared().stats;
        let mut out = AuditStats::default();
        out.queued = lock(&self.worker.shared().queue).jobs.len();
        out.commits = stats.commits.load(Ordering::Relaxed);
        out.rows = stats.rows.load(Ordering::Relaxed);
        out.commit_seconds = stats.nanos.load(Ordering::Relaxed) as f64 / 1e9;
        out.commit_buckets = std::array::from_fn(|i| stats.buckets[i].load(Ordering::Relaxed));
        out
    }

    /// Queues `record`; in durable mode waits for its batch to commit.
    pub(super) fn submit_one(&self, record: ActionRecord) -> Result<ActionAppended, StoreError> {
        self.submit_all(&mut std::iter::once(record))
            .pop()
            .unwrap_or_else(|| Err(StoreError::Writer("a call was not answered".to_string())))
    }

    /// Queues the calls of `records` as they come, [`CHUNK`] at a time (so
    /// the writer commits the first while the caller still makes the
    /// next), in order; in durable mode then waits, once, until every one
    /// is committed and fsync'd. One answer per record, in order. Rows of
    /// one submission may be split between transactions (and a session
    /// change may commit between them): each row is checked on its own.
    pub(super) fn submit_all(
        &self,
        records: &mut dyn Iterator<Item = ActionRecord>,
    ) -> Vec<Result<ActionAppended, StoreError>> {
        self.submit(records, true)
    }

    /// [`Writer::submit_all`], the records' sessions checked or not.
    fn submit(
        &self,
        records: &mut dyn Iterator<Item = ActionRecord>,
        in_session: bool,
    ) -> Vec<Result<ActionAppended, StoreError>> {
        let cell = match self.mode {
            AuditMode::Durable => Some(Arc::new(Cell::default())),
            AuditMode::Batched => None,
        };
        let mut chunk = Vec::with_capacity(records.size_hint().0.clamp(1, CHUNK));
        let (mut calls, mut queued) = (0, 0);
        loop {
            let next = records.next();
            let last = next.is_none();
            chunk.extend(next);
            if chunk.len() == CHUNK || (last && !chunk.is_empty()) {
                calls += chunk.len();
                if self.enqueue(&mut chunk, cell.as_ref(), in_session) {
                    queued = calls;
                }
            }
            if last {
                break;
            }
        }
        match cell {
            Some(cell) => cell.wait(),
            // Calls not queued (the writer stopped) hear it.
            None => (0..calls)
                .map(|i| {
                    if i < queued {
                        Ok(ActionAppended::Queued)
                    } else {
                        Err(StoreError::Writer("the audit writer has stopped".to_string()))
                    }
                })
                .collect(),
        }
    }

    /// Queues rows of no session (generic AuthZEN answers', one item of
    /// `rows` per answer) with the actions' rows, as [`Writer::submit_all`]
    /// queues actions: committed in the same transactions, without a
    /// session check, answered as an action is in this mode.
    pub(super) fn submit_events(
        &self,
        rows: &mut dyn Iterator<Item = Vec<AuditEvent>>,
    ) -> Vec<Result<ActionAppended, StoreError>> {
        ActionRecord::append_no_session(rows, |records| self.submit(records, false))
    }

    /// Queues (and empties) `chunk`, its answers to slots of `cell`;
    /// false when the writer has stopped (the slots are answered so).
    fn enqueue(&self, chunk: &mut Vec<ActionRecord>, cell: Option<&Arc<Cell>>, in_session: bool) -> bool {
        let n = chunk.len();
        let first = cell.map(|c| c.open(n));
        let jobs = chunk.drain(..).enumerate().map(|(i, record)| Job {
            record,
            in_session,
            reply: cell.zip(first).map(|(c, f)| Reply::to(c.clone(), f + i)),
        });
        let mut q = lock(&self.worker.shared().queue);
        // Room for all of them, or an empty queue.
        while !q.jobs.is_empty() && q.jobs.len() + n > MAX_QUEUED && !q.stop {
            q = self
                .worker
                .shared()
                .room
                .wait(q)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        if q.stop {
            drop(q);
            // Each reply, dropped unsent, answers that the writer stopped.
            jobs.for_each(drop);
            return false;
        }
        q.jobs.extend(jobs);
        q.pushed += n as u64;
        if q.writer_waits {
            q.writer_waits = false;
            drop(q);
            self.worker.shared().work.notify_one();
        }
        true
    }
}

impl Writer {
    /// Waits until every call queued so far has been committed (or its
    /// batch failed). Session changes call it in batched mode first, so
    /// they never overtake the actions that came before them.
    pub(super) fn flush(&self) {
        let mut q = lock(&self.worker.shared().queue);
        let target = q.pushed;
        while q.done < target {
            q = self
                .worker
                .shared()
                .flushed
                .wait(q)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }
}

impl Stop for Shared {
    fn stop(&self) {
        lock(&self.queue).stop = true;
        self.work.notify_all();
        self.room.notify_all();
    }
}

fn run(shared: &Shared, db: &Mutex<Db>, mode: AuditMode, syncer: Option<&Syncer>) {
    loop {
        let batch = {
            let mut q = lock(&shared.queue);
            while q.jobs.is_empty() && !q.stop {
                q.writer_waits = true;
                q = shared.work.wait(q).unwrap_or_else(std::sync::PoisonError::into_inner);
            }
            q.writer_waits = false;
            if q.jobs.is_empty() {
                return; // stopped, and everything queued is written
            }
            let n = q.jobs.len().min(MAX_BATCH);
            let batch: Vec<Job> = q.jobs.drain(..n).collect();
            shared.room.notify_all();
            batch
        };
        let n = batch.len() as u64;
        let started = std::time::Instant::now();
        commit(db, batch, mode, syncer);
        shared.stats.record(n, started.elapsed());
        lock(&shared.queue).done += n;
        shared.flushed.notify_all();
    }
}

/// Appends a batch in one transaction and answers every caller (through
/// the syncer, once the log is fsync'd, when there is one).
fn commit(db: &Mutex<Db>, batch: Vec<Job>, mode: AuditMode, syncer: Option<&Syncer>) {
    let check = mode == AuditMode::Durable;
    let (records, replies): (Vec<(ActionRecord, bool)>, Vec<Option<Reply>>) =
        batch.into_iter().map(|j| ((j.record, j.in_session), j.reply)).unzip();
    let calls = records.len();
    if let Some(why) = syncer.and_then(Syncer::failed) {
        // An fsync failed: nothing more is committed.
        if !check {
            eprintln!("standin: audit batch of {calls} calls lost: {why}");
        }
        for reply in replies.into_iter().flatten() {
            reply.send(Err(StoreError::Writer(why.clone())));
        }
        return;
    }
    let result = lock(db).transaction(|conn, heads, deadlines| {
        let mut outcomes = Vec::with_capacity(records.len());
        let mut appender = audit::Appender::new(conn)?;
        if deadlines.len() > MAX_DEADLINES {
            deadlines.clear();
        }
        for (r, in_session) in records {
            let active = if check && in_session {
                // Sessions only change in other transactions, which drop
                // what is cached here (see `Db`): read each deadline once.
                let deadline = match deadlines.get(&r.session) {
                    Some(d) => *d,
                    None => {
                        // The whole row, so its tag is checked: a row a
                        // database writer set back to active allows nothing.
                        let d = sessions::by_id(conn, &r.session, &heads.integrity)?
                            .filter(|s| s.is_active())
                            .map(|s| s.hard_deadline());
                        deadlines.insert(r.session.clone(), d);
                        d
                    }
                };
                deadline.is_some_and(|d| r.now < d)
            } else {
                true
            };
            let outcome = if !active {
                ActionAppended::Inactive
            } else if check && standin::deadline::passed(r.answer_by) {
                // Its caller was told it timed out: record nothing of it.
                ActionAppended::Late
            } else {
                let mut appended = Vec::with_capacity(r.audit.len());
                for e in r.audit {
                    appended.push(appender.append(heads, e)?);
                }
                if check {
                    ActionAppended::Committed(appended)
                } else {
                    ActionAppended::Queued
                }
            };
            outcomes.push(outcome);
        }
        Ok(outcomes)
    });
    match result {
        Ok(outcomes) => {
            let answers: Vec<Answer> = replies
                .into_iter()
                .zip(outcomes)
                .filter_map(|(reply, outcome)| reply.map(|reply| Answer::new(reply, outcome)))
                .collect();
            match syncer {
                Some(s) => s.committed(answers),
                None => answers.into_iter().for_each(Answer::send),
            }
        }
        Err(e) => {
            // Nothing of the batch was written; every waiting caller hears why.
            if !check {
                // Batched callers were answered already: the rows are lost, say so.
                eprintln!("standin: audit batch of {calls} calls lost: {e}");
            }
            let message = e.to_string();
            for reply in replies.into_iter().flatten() {
                reply.send(Err(StoreError::Writer(format!("the audit batch failed: {message}"))));
            }
        }
    }
}
