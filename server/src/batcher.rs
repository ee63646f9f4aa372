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
//!
//! Generic AuthZEN questions ([`Authorizer::ask`]) are batched alike, on
//! a queue and threads of their own: a tenant's questions of one batch are
//! answered with one
//! [`standin::authzen::TenantAuthzen::evaluate_many`] (its policy resolved
//! once, their rows committed together, one wait), where each used to take
//! a blocking-pool thread and a commit of its own.

use crate::error::{ApiError, codes};
use crate::telemetry::RequestTrace;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use standin::authzen::{Answer, Question};
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
    now: DateTime<Utc>,
    call: Call,
    trace: Trace,
}

/// What a job asks, and where its answer goes.
#[derive(Debug)]
enum Call {
    /// `authorize` in a session.
    Action {
        session: String,
        action: String,
        resource: Option<String>,
        reply: oneshot::Sender<Result<Authorization, SessionError>>,
    },
    /// A generic AuthZEN question.
    Question {
        question: Box<Question>,
        reply: oneshot::Sender<Answer>,
    },
}

/// The queues and their threads (see the module documentation).
#[derive(Debug)]
pub struct Authorizer {
    /// Actions in sessions; generic questions. Each queue has threads of
    /// its own, so that a tenant whose policy takes its whole deadline on
    /// every generic question (anyone with a key may ask one) delays other
    /// questions, never the impersonation's `authorize` calls.
    queues: Option<(SyncSender<Job>, SyncSender<Job>)>,
    threads: Vec<JoinHandle<()>>,
}

impl Authorizer {
    pub fn spawn(sessions: Arc<Standin>) -> Self {
        let mut threads = Vec::new();
        let mut pool = |name: &str| {
            let (queue, jobs) = mpsc::sync_channel(MAX_QUEUED);
            let jobs = Arc::new(Mutex::new(jobs));
            threads.extend((0..self::threads()).map(|i| {
                let (sessions, jobs) = (sessions.clone(), jobs.clone());
                std::thread::Builder::new()
                    .name(format!("standin-{name}-{i}"))
                    .spawn(move || work(&sessions, &jobs))
                    .expect("spawn an authorize thread")
            }));
            queue
        };
        let queues = (pool("authz"), pool("authzen"));
        Self {
            queues: Some(queues),
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
        let call = Call::Action {
            session,
            action,
            resource,
            reply,
        };
        self.queue(tenant, now, call)?;
        match answer.await {
            Ok(result) => result.map_err(ApiError::from),
            Err(_) => Err(stopped()),
        }
    }

    /// The tenant's answer to a generic `question`, audited, with the
    /// others queued now.
    pub async fn ask(&self, tenant: &str, question: Question, now: DateTime<Utc>) -> Result<Answer, ApiError> {
        let (reply, answer) = oneshot::channel();
        let call = Call::Question {
            question: Box::new(question),
            reply,
        };
        self.queue(tenant, now, call)?;
        answer.await.map_err(|_| stopped())
    }

    /// Queues `call`; `503` when the queue is full or its threads stopped.
    fn queue(&self, tenant: &str, now: DateTime<Utc>, call: Call) -> Result<(), ApiError> {
        let job = Job {
            tenant: tenant.to_string(),
            now,
            call,
            trace: crate::telemetry::sampled().map(|t| (t, Instant::now())),
        };
        let (actions, questions) = self.queues.as_ref().ok_or_else(stopped)?;
        let queue = match job.call {
            Call::Action { .. } => actions,
            Call::Question { .. } => questions,
        };
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
        Ok(())
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
        self.queues = None;
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

/// Per tenant of `batch`: one `authorize_batch` for its actions, one
/// `evaluate_many` for its questions; every job answered.
fn answer(sessions: &Standin, mut batch: Vec<Job>) {
    while !batch.is_empty() {
        let tenant = batch[0].tenant.clone();
        let (mine, rest): (Vec<Job>, Vec<Job>) = batch.into_iter().partition(|j| j.tenant == tenant);
        batch = rest;
        let (actions, questions): (Vec<Job>, Vec<Job>) =
            mine.into_iter().partition(|j| matches!(j.call, Call::Action { .. }));
        if !actions.is_empty() {
            authorize(sessions, &tenant, actions);
        }
        if !questions.is_empty() {
            ask(sessions, &tenant, questions);
        }
    }
}

/// One tenant's actions, in one `authorize_batch`.
fn authorize(sessions: &Standin, tenant: &str, mine: Vec<Job>) {
    let calls: Vec<ActionCall<'_>> = mine
        .iter()
        .filter_map(|j| match &j.call {
            Call::Action {
                session,
                action,
                resource,
                ..
            } => Some(ActionCall::new(session, action, resource.as_deref(), j.now)),
            Call::Question { .. } => None,
        })
        .collect();
    let answers = traced_batch(
        &mine,
        |j| &j.trace,
        || sessions.tenant(tenant).sessions().authorize_batch(&calls),
    );
    drop(calls);
    let replies = mine.into_iter().filter_map(|j| match j.call {
        Call::Action { reply, .. } => Some(reply),
        Call::Question { .. } => None,
    });
    match answers {
        Ok(results) => {
            for (reply, result) in replies.zip(results) {
                let _ = reply.send(result);
            }
        }
        Err(e) => {
            // The whole batch failed (the store): each caller hears it.
            let message = e.to_string();
            for reply in replies {
                let _ = reply.send(Err(SessionError::Store(standin::store::StoreError::Writer(
                    message.clone(),
                ))));
            }
        }
    }
}

/// One tenant's generic questions, in one `evaluate_many` (at the first
/// question's time: they were queued together).
fn ask(sessions: &Standin, tenant: &str, mine: Vec<Job>) {
    let now = mine[0].now;
    let (mut questions, mut replies, mut traces) = (Vec::new(), Vec::new(), Vec::new());
    for job in mine {
        if let Call::Question { question, reply } = job.call {
            questions.push(*question);
            replies.push(reply);
            traces.push(job.trace);
        }
    }
    let answers = traced_batch(
        &traces,
        |t| t,
        || sessions.tenant(tenant).authzen().evaluate_many(&questions, now),
    );
    for (reply, answer) in replies.into_iter().zip(answers) {
        let _ = reply.send(answer);
    }
}

/// Its request's trace, when sampled, and when it was queued.
type Trace = Option<(Arc<RequestTrace>, Instant)>;

/// Runs `batch`, recording its phases into the requests of `calls` that
/// are traced (`trace` of each).
fn traced_batch<T, R>(calls: &[T], trace: impl Fn(&T) -> &Trace, batch: impl FnOnce() -> R) -> R {
    match calls.iter().any(|c| trace(c).is_some()) {
        false => batch(),
        true => {
            let taken = Instant::now();
            let (answers, phases) = standin::trace::recorded(batch);
            traced(calls.iter().map(trace), calls.len(), &phases, taken);
            answers
        }
    }
}

/// Adds to each traced job's request its wait in the queue (attributes of
/// its span) and the phases of its call (and of the batch as a whole).
fn traced<'t>(traces: impl Iterator<Item = &'t Trace>, size: usize, phases: &[standin::trace::Phase], taken: Instant) {
    for (i, trace) in traces.enumerate() {
        if let Some((trace, queued)) = trace {
            let waited = taken.saturating_duration_since(*queued).as_micros() as i64;
            trace.set(opentelemetry::KeyValue::new("standin.queue.wait_us", waited));
            trace.set(opentelemetry::KeyValue::new("standin.batch.size", size as i64));
            trace.phases(phases, Some(i));
        }
    }
}
