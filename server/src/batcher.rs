//! Concurrent `authorize` requests, fed to the library's batch path.
//!
//! One `authorize` through the blocking pool costs two thread hand-offs
//! (to a pool thread and back) on top of the audit writer's, and a pool
//! thread per call waiting for its commit. Under load that is most of the
//! server's CPU (measured: 146 µs of server CPU per call at 64 connections,
//! against 24 µs in-process; BENCHMARKS.md). Here handlers queue their call
//! and await a reply; [`threads`] threads take everything queued at once and
//! answer it with one [`standin::TenantSessions::authorize_batch`]
//! per tenant: one wait for the batch's commit, one hand-off per batch. The
//! busier the server, the bigger the batches; a lone call is a batch of one.
//!
//! Each call is still decided, audited and answered on its own: the batch
//! path checks every call's session at commit, and a call on another
//! tenant's session is answered as unknown, as `authorize` does.

use crate::error::{ApiError, codes};
use crate::telemetry::RequestTrace;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use standin::{ActionCall, Authorization, SessionError, Standin};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Instant;
use tokio::sync::oneshot;

/// Threads taking batches: one per core, and at least two, so that while
/// one waits for its batch's commit another decides the next. Deciding is
/// the batch's CPU work (each call's session, its policy), done on these
/// threads: two of them served a 16-core machine no faster than about two
/// cores could decide (issue 32), whatever the other cores did.
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get()).max(2)
}

/// Calls waiting at most; past it a caller is answered `503 overloaded`.
pub const MAX_QUEUED: usize = 16_384;

/// One call waiting for its answer.
#[derive(Debug)]
struct Job {
    tenant: String,
    session: String,
    action: String,
    resource: Option<String>,
    now: DateTime<Utc>,
    reply: oneshot::Sender<Result<Authorization, SessionError>>,
    /// Its request's trace, when sampled, and when it was queued.
    trace: Option<(Arc<RequestTrace>, Instant)>,
}

/// The queue and its threads (see the module documentation).
#[derive(Debug)]
pub struct Authorizer {
    queue: Option<SyncSender<Job>>,
    threads: Vec<JoinHandle<()>>,
}

impl Authorizer {
    pub fn spawn(sessions: Arc<Standin>) -> Self {
        let (queue, jobs) = mpsc::sync_channel(MAX_QUEUED);
        let jobs = Arc::new(Mutex::new(jobs));
        let threads = (0..threads())
            .map(|i| {
                let (sessions, jobs) = (sessions.clone(), jobs.clone());
                std::thread::Builder::new()
                    .name(format!("standin-authz-{i}"))
                    .spawn(move || work(&sessions, &jobs))
                    .expect("spawn an authorize thread")
            })
            .collect();
        Self {
            queue: Some(queue),
            threads,
        }
    }

    /// `authorize` of `session` for `tenant`, with the others queued now.
    pub async fn authorize(
        &self,
        tenant: &str,
        session: String,
        action: String,
        resource: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<Authorization, ApiError> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            tenant: tenant.to_string(),
            session,
            action,
            resource,
            now,
            reply,
            trace: crate::telemetry::sampled().map(|t| (t, Instant::now())),
        };
        let queue = self.queue.as_ref().ok_or_else(stopped)?;
        match queue.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                return Err(ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    codes::OVERLOADED,
                    format!("{MAX_QUEUED} calls are waiting already; try again"),
                ));
            }
            Err(TrySendError::Disconnected(_)) => return Err(stopped()),
        }
        match answer.await {
            Ok(result) => result.map_err(ApiError::from),
            Err(_) => Err(stopped()),
        }
    }
}

fn stopped() -> ApiError {
    ApiError::internal(
        StatusCode::SERVICE_UNAVAILABLE,
        codes::UNAVAILABLE,
        &"the authorize threads have stopped",
    )
}

impl Drop for Authorizer {
    /// Closes the queue and waits for the calls taken to be answered.
    fn drop(&mut self) {
        self.queue = None;
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// Takes everything queued (waiting for the first), answers it, again.
fn work(sessions: &Standin, jobs: &Mutex<Receiver<Job>>) {
    loop {
        let batch = {
            let jobs = jobs.lock().unwrap_or_else(PoisonError::into_inner);
            let Ok(first) = jobs.recv() else { return };
            let mut batch = vec![first];
            while batch.len() < standin::sessions::MAX_BATCH_CALLS {
                match jobs.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            batch
        };
        answer(sessions, batch);
    }
}

/// One `authorize_batch` per tenant of `batch`; every job answered.
fn answer(sessions: &Standin, mut batch: Vec<Job>) {
    while !batch.is_empty() {
        let tenant = batch[0].tenant.clone();
        let (mine, rest): (Vec<Job>, Vec<Job>) = batch.into_iter().partition(|j| j.tenant == tenant);
        batch = rest;
        let calls: Vec<ActionCall<'_>> = mine
            .iter()
            .map(|j| ActionCall::new(&j.session, &j.action, j.resource.as_deref(), j.now))
            .collect();
        let batch = || sessions.tenant(&tenant).sessions().authorize_batch(&calls);
        let answers = match mine.iter().any(|j| j.trace.is_some()) {
            false => batch(),
            true => {
                let taken = Instant::now();
                let (answers, phases) = standin::trace::recorded(batch);
                traced(&mine, &phases, taken);
                answers
            }
        };
        match answers {
            Ok(results) => {
                drop(calls);
                for (job, result) in mine.into_iter().zip(results) {
                    let _ = job.reply.send(result);
                }
            }
            Err(e) => {
                drop(calls);
                // The whole batch failed (the store): each caller hears it.
                let message = e.to_string();
                for job in mine {
                    let _ = job
                        .reply
                        .send(Err(SessionError::Store(standin::store::StoreError::Writer(
                            message.clone(),
                        ))));
                }
            }
        }
    }
}

/// Adds to each traced job's request its wait in the queue (attributes of
/// its span) and the phases of its call (and of the batch as a whole).
fn traced(jobs: &[Job], phases: &[standin::trace::Phase], taken: Instant) {
    for (i, job) in jobs.iter().enumerate() {
        if let Some((trace, queued)) = &job.trace {
            let waited = taken.saturating_duration_since(*queued).as_micros() as i64;
            trace.set(opentelemetry::KeyValue::new("standin.queue.wait_us", waited));
            trace.set(opentelemetry::KeyValue::new("standin.batch.size", jobs.len() as i64));
            trace.phases(phases, Some(i));
        }
    }
}
