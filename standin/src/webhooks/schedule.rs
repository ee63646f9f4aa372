//! How delivery moves, as pure functions of a cursor and a time: the
//! message an audit event becomes, what one attempt's answer means, and
//! the backoff, horizon and dead letter after a failure. The deliverer
//! (`standin-server`) sends; the store records; the decisions are here,
//! where a test can drive them with a fixed clock.

use super::endpoint::Cursor;
use crate::audit::AuditEvent;
use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

/// One message to an endpoint: the Standard Webhooks payload (`type`,
/// `timestamp`, `data`) of one audit event, with the event's name and
/// session also at the top (`event`, `session`), as the contract's
/// receivers read them.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// `webhook-id`: the same for every attempt and every endpoint
    /// (`msg_` and the event's chain hash), so a receiver de-duplicates.
    pub id: String,
    pub seq: u64,
    pub event: String,
    pub body: Vec<u8>,
}

#[derive(Serialize)]
struct Payload<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    timestamp: DateTime<Utc>,
    event: &'a str,
    session: Option<&'a str>,
    data: &'a AuditEvent,
}

impl Message {
    /// The message of `event` (its own fields, its `seq` and chain `hash`,
    /// so a receiver can check it against the trail; not the request the
    /// policy saw, which may carry more than the platform wants pushed).
    pub fn of(event: &AuditEvent) -> Self {
        let mut data = event.clone();
        data.request = None;
        let body = serde_json::to_vec(&Payload {
            kind: &event.event,
            timestamp: event.at,
            event: &event.event,
            session: event.session.as_deref(),
            data: &data,
        })
        .expect("an audit event serializes");
        Self {
            id: message_id(event),
            seq: event.seq,
            event: event.event.clone(),
            body,
        }
    }

    /// The message of an outbox message for a target (`type`
    /// `outbox.KIND`, `data` the message as `outbox list` shows it); its
    /// `webhook-id` is `msg_outbox_` and the message's id.
    pub fn of_outbox(m: &crate::model::OutboxMessage) -> Self {
        let event = format!("outbox.{}", m.kind);
        let body = serde_json::to_vec(&serde_json::json!({
            "type": event,
            "timestamp": m.created_at,
            "event": event,
            "session": m.session,
            "data": m,
        }))
        .expect("JSON");
        Self {
            id: format!("msg_outbox_{}", m.id),
            seq: super::delivery::OUTBOX_SEQ + u64::try_from(m.id).unwrap_or(0),
            event,
            body,
        }
    }

    /// The `webhook.test` message `standin webhook test` sends (not an
    /// audit event: `seq` 0).
    pub fn test(tenant: &str, endpoint: &str, at: DateTime<Utc>, nonce: &str) -> Self {
        let body = serde_json::json!({
            "type": "webhook.test",
            "timestamp": at,
            "data": {"tenant": tenant, "endpoint": endpoint},
        });
        Self {
            id: format!("msg_test_{nonce}"),
            seq: 0,
            event: "webhook.test".into(),
            body: serde_json::to_vec(&body).expect("JSON"),
        }
    }
}

/// `msg_` and the event's chain hash.
pub fn message_id(event: &AuditEvent) -> String {
    format!("msg_{}", event.hash)
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// A 2xx answer.
    Delivered { status: u16 },
    /// Anything else: another status (redirects are not followed), a
    /// timeout, a refused connection, a TLS error, an address the
    /// deliverer may not reach.
    Failed { status: Option<u16>, error: String },
}

impl Attempt {
    /// A failure that is worth trying again later: no answer, a 5xx, 408
    /// or 429. Other answers (a 4xx: the receiver refuses the message
    /// itself; a 3xx: a redirect, never followed) are tried
    /// [`PERMANENT_ATTEMPTS`] times, then dead-lettered.
    pub fn is_transient(&self) -> bool {
        match self {
            Attempt::Delivered { .. } => false,
            Attempt::Failed { status: None, .. } => true,
            Attempt::Failed { status: Some(s), .. } => *s >= 500 || *s == 408 || *s == 429,
        }
    }
}

/// How many times a message a receiver refuses with a 4xx (not 408/429) is
/// tried before it is dead-lettered.
pub const PERMANENT_ATTEMPTS: u32 = 3;

/// Retry settings: exponential backoff from `first` doubling to `max`,
/// with jitter, until `horizon` after the first failure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    pub first: TimeDelta,
    pub max: TimeDelta,
    pub horizon: TimeDelta,
}

impl Default for Backoff {
    /// 1 s doubling to 1 h, for 24 h.
    fn default() -> Self {
        Self {
            first: TimeDelta::seconds(1),
            max: TimeDelta::hours(1),
            horizon: TimeDelta::hours(24),
        }
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum AfterFailure {
    /// Try the same message again at `cursor.next_at`.
    Retry(Cursor),
    /// Give up on it: dead-letter it and go on with the next.
    Dead,
}

impl Backoff {
    /// The cursor after `attempt` failed at `now`. `jitter` in `[0, 1)`
    /// spreads the delay over its upper half (so endpoints that failed
    /// together do not retry together).
    pub fn after_failure(&self, cursor: &Cursor, attempt: &Attempt, now: DateTime<Utc>, jitter: f64) -> AfterFailure {
        let attempts = cursor.attempts.saturating_add(1);
        let since = cursor.failing_since.unwrap_or(now);
        if now - since >= self.horizon || (!attempt.is_transient() && attempts >= PERMANENT_ATTEMPTS) {
            return AfterFailure::Dead;
        }
        let exp = self
            .first
            .checked_mul(1i32 << attempts.saturating_sub(1).min(20))
            .unwrap_or(self.max)
            .min(self.max);
        let ms = exp.num_milliseconds() as f64;
        let delay = TimeDelta::milliseconds((ms * (0.5 + 0.5 * jitter.clamp(0.0, 1.0))) as i64);
        let error = match attempt {
            Attempt::Failed { status: Some(s), error } => format!("{s}: {error}"),
            Attempt::Failed { status: None, error } => error.clone(),
            Attempt::Delivered { .. } => String::new(),
        };
        AfterFailure::Retry(Cursor {
            seq: cursor.seq,
            attempts,
            failing_since: Some(since),
            next_at: Some(now + delay),
            last_error: Some(error),
            outbox: cursor.outbox,
        })
    }
}

impl Cursor {
    /// This cursor once audit event `seq` is handled (delivered, dead, or
    /// not for this endpoint): the next one starts fresh; the outbox
    /// cursor stays.
    pub fn passed(&self, seq: u64) -> Self {
        Self {
            seq,
            outbox: self.outbox,
            ..Self::default()
        }
    }

    /// This cursor once outbox message `id` is handled.
    pub fn passed_message(&self, id: i64) -> Self {
        Self {
            seq: self.seq,
            outbox: id,
            ..Self::default()
        }
    }

    /// Whether the deliverer may try now.
    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        self.next_at.is_none_or(|t| t <= now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap()
    }

    fn fail(status: Option<u16>) -> Attempt {
        Attempt::Failed {
            status,
            error: "x".into(),
        }
    }

    #[test]
    fn backoff_doubles_with_jitter_up_to_the_cap() {
        let b = Backoff {
            first: TimeDelta::seconds(1),
            max: TimeDelta::seconds(8),
            horizon: TimeDelta::hours(1),
        };
        let mut c = Cursor::default().passed(4);
        let mut delays = Vec::new();
        for _ in 0..6 {
            let AfterFailure::Retry(next) = b.after_failure(&c, &fail(Some(503)), t(0), 0.999_999) else {
                panic!("dead too soon")
            };
            assert_eq!((next.seq, next.failing_since), (4, Some(t(0))));
            delays.push((next.next_at.unwrap() - t(0)).num_milliseconds());
            c = next;
        }
        assert_eq!(delays, [999, 1999, 3999, 7999, 7999, 7999]);
        let AfterFailure::Retry(low) = b.after_failure(&Cursor::default().passed(4), &fail(None), t(0), 0.0) else {
            panic!()
        };
        assert_eq!(low.next_at, Some(t(0) + TimeDelta::milliseconds(500)));
    }

    #[test]
    fn past_the_horizon_a_message_is_dead() {
        let b = Backoff::default();
        let c = Cursor {
            failing_since: Some(t(0)),
            attempts: 30,
            ..Cursor::default().passed(9)
        };
        assert!(matches!(
            b.after_failure(&c, &fail(Some(500)), t(86_399), 0.5),
            AfterFailure::Retry(_)
        ));
        assert_eq!(
            b.after_failure(&c, &fail(Some(500)), t(86_400), 0.5),
            AfterFailure::Dead
        );
    }

    #[test]
    fn a_refusal_is_tried_three_times_and_a_busy_receiver_forever() {
        let b = Backoff::default();
        let mut c = Cursor::default().passed(1);
        for _ in 0..2 {
            let AfterFailure::Retry(next) = b.after_failure(&c, &fail(Some(400)), t(0), 0.5) else {
                panic!()
            };
            c = next;
        }
        assert_eq!(b.after_failure(&c, &fail(Some(400)), t(0), 0.5), AfterFailure::Dead);
        assert!(!fail(Some(302)).is_transient());
        for transient in [Some(408), Some(429), Some(500), None] {
            assert!(fail(transient).is_transient(), "{transient:?}");
            assert!(matches!(
                b.after_failure(&c, &fail(transient), t(1), 0.5),
                AfterFailure::Retry(_)
            ));
        }
    }
}
