//! The outbox's messages for targets (`impersonation.started`, ...) to the
//! endpoints that ask for them (`outbox.*`, `outbox.KIND`): after a
//! round's audit events, in id order, from the endpoint's second cursor
//! ([`Cursor::outbox`]). The retry state is the endpoint's: a failing
//! message backs the whole endpoint off, as a failing event does. Their
//! log rows are keyed `OUTBOX_SEQ` + the message's id, so dead letters are
//! listed and replayed like the others.

use super::attempt::{Shared, attempt, blocking, jitter, webhook_request};
use super::sender::Conn;
use chrono::{DateTime, Utc};
use standin::store::StoreError;
use standin::webhooks::schedule::{AfterFailure, Attempt, Message};
use standin::webhooks::{Cursor, Delivery, DeliveryStatus, Endpoint, Progress};
use std::sync::Arc;

/// Messages read per chunk at most.
const CHUNK: usize = 64;

/// Sends what follows `cursor.outbox`, chunk by chunk (each chunk's
/// progress recorded before the next is read), until caught up, a
/// failure, or `stop_at`.
pub(super) async fn deliver(
    shared: &Arc<Shared>,
    endpoint: &Endpoint,
    cursor: &mut Cursor,
    progress: &mut Progress,
    conn: &mut Option<Conn>,
    stop_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    loop {
        let (s, tenant, after) = (shared.clone(), endpoint.tenant.clone(), cursor.outbox);
        let messages = blocking(move || s.standin.webhooks().messages_after(&tenant, after, CHUNK)).await?;
        let full = messages.len() == CHUNK;
        for m in &messages {
            let message = Message::of_outbox(m);
            if !endpoint.events.matches(&message.event) {
                *cursor = cursor.passed_message(m.id);
                continue;
            }
            if Utc::now() >= stop_at {
                return Ok(());
            }
            let out = webhook_request(endpoint, &message);
            let attempt = attempt(shared, endpoint, out, &message.event, message.seq, conn).await;
            let now = Utc::now();
            let row = |status, code, error| {
                Delivery::new(
                    &endpoint.id,
                    message.seq,
                    &message.id,
                    &message.event,
                    status,
                    cursor.attempts + 1,
                    code,
                    error,
                    now,
                )
            };
            match &attempt {
                Attempt::Delivered { status } => {
                    progress.log.push(row(DeliveryStatus::Delivered, Some(*status), None));
                    *cursor = cursor.passed_message(m.id);
                }
                Attempt::Failed { status, error } => {
                    match shared.backoff.after_failure(cursor, &attempt, now, jitter()) {
                        AfterFailure::Retry(next) => {
                            *cursor = next;
                            return Ok(());
                        }
                        AfterFailure::Dead => {
                            shared.metrics.webhook_attempt(&endpoint.tenant, &endpoint.id, "dead");
                            progress
                                .log
                                .push(row(DeliveryStatus::Dead, *status, Some(error.clone())));
                            *cursor = cursor.passed_message(m.id);
                        }
                    }
                }
            }
        }
        if !full {
            return Ok(());
        }
        let mut chunk = Progress::new(&endpoint.id, &shared.holder);
        chunk.cursor = Some(cursor.clone());
        chunk.log = std::mem::take(&mut progress.log);
        let s = shared.clone();
        if !blocking(move || s.standin.store().advance_webhook(&chunk)).await? {
            return Ok(());
        }
    }
}

/// The outbox message a replayed log row names, as its message.
pub(super) async fn replayed(
    shared: &Arc<Shared>,
    endpoint: &Endpoint,
    seq: u64,
) -> Result<Option<Message>, StoreError> {
    let Some(id) = seq
        .checked_sub(standin::webhooks::OUTBOX_SEQ)
        .and_then(|id| i64::try_from(id).ok())
    else {
        return Ok(None);
    };
    let (s, tenant) = (shared.clone(), endpoint.tenant.clone());
    let messages = blocking(move || s.standin.webhooks().messages_after(&tenant, id - 1, 1)).await?;
    Ok(messages.iter().find(|m| m.id == id).map(Message::of_outbox))
}
