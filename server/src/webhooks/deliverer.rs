//! The deliverer: a task beside the server that leases due endpoints,
//! sends each one what follows its cursor, and records where it got to.
//!
//! Every `poll_ms` it leases up to `concurrency` endpoints it does not
//! hold already (the store gives each to one process at a time) and runs
//! a round for each: dead letters an admin replayed first, then the
//! tenant's events after the cursor, in `seq` order, until one fails (the
//! cursor keeps it, with its retry time: later events wait, so a receiver
//! sees them in order) or the lease nears its end. The round's cursor and
//! log rows are recorded in one store call, and only while the lease
//! holds. Then, for an endpoint that asks for them, the outbox's messages
//! for targets (`outbox.rs`). Store calls run on the blocking pool; a slow
//! receiver holds only its own round. One attempt is `attempt.rs`.

use super::WebhookSettings;
use super::attempt::{Shared, attempt, blocking, jitter, send, webhook_request};
use crate::metrics::Metrics;
use crate::telemetry::Telemetry;
use chrono::{DateTime, TimeDelta, Utc};
use standin::Standin;
use standin::store::StoreError;
use standin::webhooks::schedule::{AfterFailure, Attempt, Backoff};
use standin::webhooks::{Delivery, DeliveryStatus, Endpoint, Progress, ssf};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;

/// Events read per round at most.
const EVENTS_PER_ROUND: usize = 64;

/// Starts the deliverer; it runs until the task is aborted (a round cut
/// short leaves its lease to run out; its messages are sent again, with
/// the same ids).
pub fn spawn(
    standin: Arc<Standin>,
    settings: WebhookSettings,
    metrics: Arc<Metrics>,
    issuer_base: String,
    telemetry: Telemetry,
) -> tokio::task::JoinHandle<()> {
    let shared = Arc::new(Shared {
        sender: settings.sender(),
        backoff: Backoff {
            first: TimeDelta::milliseconds(i64::try_from(settings.retry_first_ms).unwrap_or(i64::MAX)),
            max: TimeDelta::seconds(i64::try_from(settings.retry_max_seconds).unwrap_or(i64::MAX)),
            horizon: TimeDelta::seconds(i64::try_from(settings.horizon_seconds).unwrap_or(i64::MAX)),
        },
        holder: holder_name(),
        standin,
        settings,
        metrics,
        issuer_base,
        telemetry,
    });
    tokio::spawn(run(shared))
}

/// This process's name as a lease holder: host, pid and a random part.
fn holder_name() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut random = std::collections::hash_map::RandomState::new().build_hasher();
    random.write_u64(std::process::id().into());
    format!("{}-{:08x}", std::process::id(), random.finish() as u32)
}

async fn run(shared: Arc<Shared>) {
    let poll = Duration::from_millis(shared.settings.poll_ms);
    let mut rounds = JoinSet::new();
    let mut last_prune: Option<DateTime<Utc>> = None;
    loop {
        while rounds.try_join_next().is_some() {}
        let free = shared.settings.concurrency.saturating_sub(rounds.len());
        if free > 0 {
            let now = Utc::now();
            let until = now + lease_length(&shared.settings);
            let s = shared.clone();
            let leased = blocking(move || s.standin.store().lease_webhooks(&s.holder, now, until, free)).await;
            match leased {
                Ok(endpoints) => {
                    for endpoint in endpoints {
                        rounds.spawn(round(shared.clone(), endpoint, until));
                    }
                }
                Err(e) => tracing::warn!(error = %e, "webhooks: cannot lease endpoints"),
            }
            if last_prune.is_none_or(|t| now - t > TimeDelta::hours(1)) {
                last_prune = Some(now);
                let before = now - TimeDelta::hours(i64::try_from(shared.settings.retention_hours).unwrap_or(i64::MAX));
                let s = shared.clone();
                if let Err(e) = blocking(move || s.standin.store().prune_webhook_log(before)).await {
                    tracing::warn!(error = %e, "webhooks: cannot prune the delivery log");
                }
            }
        }
        tokio::time::sleep(poll).await;
    }
}

/// A lease covers a few attempts and the store calls around them.
fn lease_length(settings: &WebhookSettings) -> TimeDelta {
    TimeDelta::milliseconds(i64::try_from(settings.timeout_ms.saturating_mul(3)).unwrap_or(i64::MAX))
        + TimeDelta::seconds(5)
}

/// One round for one leased endpoint.
async fn round(shared: Arc<Shared>, endpoint: Endpoint, until: DateTime<Utc>) {
    let id = endpoint.id.clone();
    if let Err(e) = try_round(&shared, &endpoint, until).await {
        tracing::warn!(endpoint = %id, tenant = %endpoint.tenant, error = %e, "webhooks: a round failed");
        // Let the lease go so the next poll tries again.
        let mut release = Progress::new(&id, &shared.holder);
        release.release = true;
        let s = shared.clone();
        let _ = blocking(move || s.standin.store().advance_webhook(&release)).await;
    }
}

async fn try_round(shared: &Arc<Shared>, endpoint: &Endpoint, until: DateTime<Utc>) -> Result<(), StoreError> {
    let mut progress = Progress::new(&endpoint.id, &shared.holder);
    progress.release = true;
    // One kept-alive connection for the round's messages.
    let mut conn = None;
    // Stop starting attempts once one more might outlive the lease.
    let stop_at =
        until - TimeDelta::milliseconds(i64::try_from(shared.settings.timeout_ms).unwrap_or(0)) - TimeDelta::seconds(2);

    // Replayed dead letters first, oldest first; one that fails again is
    // dead again.
    let (s, id) = (shared.clone(), endpoint.id.clone());
    let mut replays = blocking(move || {
        s.standin
            .store()
            .webhook_deliveries(&id, Some(DeliveryStatus::Replaying), 100)
    })
    .await?;
    replays.sort_by_key(|d| d.seq);
    for r in replays {
        if Utc::now() >= stop_at {
            break;
        }
        // A replay that cannot be sent any more (no such event, or one the
        // endpoint no longer takes) is dead again, saying why, rather than
        // replaying forever.
        let attempt = if r.seq >= standin::webhooks::OUTBOX_SEQ {
            match super::outbox::replayed(shared, endpoint, r.seq).await? {
                Some(m) => {
                    let out = webhook_request(endpoint, &m);
                    Some(attempt(shared, endpoint, out, &m.event, m.seq, &mut conn).await)
                }
                None => None,
            }
        } else {
            let (s, tenant, seq) = (shared.clone(), endpoint.tenant.clone(), r.seq);
            let events = blocking(move || s.standin.webhooks().events_after(&tenant, seq.saturating_sub(1), 1)).await?;
            match events.into_iter().find(|e| e.seq == r.seq) {
                Some(event) => send(shared, endpoint, &event, &mut conn).await,
                None => None,
            }
        };
        let (status, code, error) = match &attempt {
            Some(Attempt::Delivered { status }) => (DeliveryStatus::Delivered, Some(*status), None),
            Some(Attempt::Failed { status, error }) => (DeliveryStatus::Dead, *status, Some(error.clone())),
            None => (
                DeliveryStatus::Dead,
                None,
                Some("not sent: no such event for this endpoint any more".into()),
            ),
        };
        progress.log.push(Delivery::new(
            &endpoint.id,
            r.seq,
            &r.message_id,
            &r.event,
            status,
            r.attempts + 1,
            code,
            error,
            Utc::now(),
        ));
    }

    // Then what follows the cursor, if its retry is due.
    let mut cursor = endpoint.cursor.clone();
    let mut behind = 0;
    let mut oldest: Option<DateTime<Utc>> = None;
    // Chunk after chunk while the receiver keeps up, each chunk's
    // progress recorded before the next is read (so a crash resends at
    // most one chunk), until caught up, a failure, or the lease's end.
    let mut stopped = !cursor.is_due(Utc::now());
    // Waiting for a retry, paused, failing or out of time (not caught up).
    let mut blocked = stopped;
    if stopped {
        oldest = cursor.failing_since;
    }
    while !stopped {
        let (s, tenant, after) = (shared.clone(), endpoint.tenant.clone(), cursor.seq);
        let events = blocking(move || s.standin.webhooks().events_after(&tenant, after, EVENTS_PER_ROUND)).await?;
        stopped = events.len() < EVENTS_PER_ROUND;
        let mut rest = events.iter();
        for event in rest.by_ref() {
            let status = endpoint.stream.as_ref().map(|s| s.status);
            if !endpoint.events.matches(&event.event) || status == Some(ssf::Status::Disabled) {
                cursor = cursor.passed(event.seq);
                continue;
            }
            // A paused stream holds its events; so does a round out of time.
            if status == Some(ssf::Status::Paused) || Utc::now() >= stop_at {
                oldest = Some(event.at);
                behind += 1;
                (stopped, blocked) = (true, true);
                break;
            }
            let Some(attempt) = send(shared, endpoint, event, &mut conn).await else {
                cursor = cursor.passed(event.seq);
                continue;
            };
            let now = Utc::now();
            let message_id = standin::webhooks::schedule::message_id(event);
            match &attempt {
                Attempt::Delivered { status } => {
                    progress.log.push(Delivery::new(
                        &endpoint.id,
                        event.seq,
                        &message_id,
                        &event.event,
                        DeliveryStatus::Delivered,
                        cursor.attempts + 1,
                        Some(*status),
                        None,
                        now,
                    ));
                    cursor = cursor.passed(event.seq);
                }
                Attempt::Failed { status, error } => {
                    match shared.backoff.after_failure(&cursor, &attempt, now, jitter()) {
                        AfterFailure::Retry(next) => {
                            cursor = next;
                            oldest = Some(event.at);
                            behind += 1;
                            (stopped, blocked) = (true, true);
                            break;
                        }
                        AfterFailure::Dead => {
                            shared.metrics.webhook_attempt(&endpoint.tenant, &endpoint.id, "dead");
                            progress.log.push(Delivery::new(
                                &endpoint.id,
                                event.seq,
                                &message_id,
                                &event.event,
                                DeliveryStatus::Dead,
                                cursor.attempts + 1,
                                *status,
                                Some(error.clone()),
                                now,
                            ));
                            cursor = cursor.passed(event.seq);
                        }
                    }
                }
            }
        }
        behind += rest.count();
        if !stopped {
            // A full chunk went through: record it, keep the lease, go on.
            let mut chunk = Progress::new(&endpoint.id, &shared.holder);
            chunk.cursor = Some(cursor.clone());
            chunk.log = std::mem::take(&mut progress.log);
            let s = shared.clone();
            if !blocking(move || s.standin.store().advance_webhook(&chunk)).await? {
                return Ok(());
            }
        }
    }
    // Then the outbox's messages, for an endpoint that asks for them.
    if !blocked && endpoint.stream.is_none() && endpoint.events.wants_outbox() {
        super::outbox::deliver(shared, endpoint, &mut cursor, &mut progress, &mut conn, stop_at).await?;
    }
    shared.metrics.webhook_lag(
        &endpoint.tenant,
        &endpoint.id,
        behind,
        oldest.map(|t| (Utc::now() - t).num_milliseconds().max(0) as f64 / 1000.0),
    );
    if cursor != endpoint.cursor {
        progress.cursor = Some(cursor);
    }
    let s = shared.clone();
    let held = blocking(move || s.standin.store().advance_webhook(&progress)).await?;
    if !held {
        tracing::warn!(endpoint = %endpoint.id, "webhooks: the lease ran out before the round was recorded; its messages will be sent again");
    }
    Ok(())
}
