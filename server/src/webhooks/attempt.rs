//! One attempt of a round, and what every round shares: sending a
//! message to its endpoint (a Standard Webhooks request, or an SSF push of
//! a signed SET) on the round's connection, counting it, and its span.
//! Split from the deliverer's loop so the audit events' and the outbox's
//! parts of a round (`outbox.rs`) use it alike.

use super::WebhookSettings;
use super::sender::{Conn, Outgoing, Sender};
use crate::metrics::Metrics;
use crate::telemetry::Telemetry;
use chrono::Utc;
use standin::Standin;
use standin::audit::AuditEvent;
use standin::store::StoreError;
use standin::webhooks::schedule::{Attempt, Backoff, Message};
use standin::webhooks::{Endpoint, signing_secrets, ssf};
use std::sync::Arc;

/// What runs a round: shared by the rounds of one deliverer.
#[derive(Debug)]
pub(super) struct Shared {
    pub(super) standin: Arc<Standin>,
    pub(super) settings: WebhookSettings,
    pub(super) sender: Sender,
    pub(super) backoff: Backoff,
    pub(super) holder: String,
    pub(super) metrics: Arc<Metrics>,
    /// The SSF issuer's base URL (a tenant's issuer is `{base}/{tenant}`).
    pub(super) issuer_base: String,
    /// Where each attempt's span goes.
    pub(super) telemetry: Telemetry,
}

impl Shared {
    pub(super) fn issuer(&self, tenant: &str) -> String {
        format!("{}/{tenant}", self.issuer_base)
    }
}

pub(super) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(StoreError::Writer(format!("webhook store call panicked: {e}"))))
}

/// Signs and sends one event; counts the attempt. `None`: nothing to
/// send for it (an SSF stream sends CAEP events only).
pub(super) async fn send(
    shared: &Shared,
    endpoint: &Endpoint,
    event: &AuditEvent,
    conn: &mut Option<Conn>,
) -> Option<Attempt> {
    let out = match &endpoint.stream {
        None => webhook_request(endpoint, &Message::of(event)),
        Some(stream) => {
            let claims = ssf::claims(event, stream, &shared.issuer(&endpoint.tenant), Utc::now())?;
            match shared.standin.webhooks().sign_set(&claims) {
                Some(set) => set_request(stream, set),
                None => {
                    return Some(Attempt::Failed {
                        status: None,
                        error: "no token key to sign SETs with (--token-key)".into(),
                    });
                }
            }
        }
    };
    Some(attempt(shared, endpoint, out, &event.event, event.seq, conn).await)
}

/// Sends one request of a round on its connection; counts the attempt and
/// makes its span.
pub(super) async fn attempt(
    shared: &Shared,
    endpoint: &Endpoint,
    out: Outgoing,
    event: &str,
    seq: u64,
    conn: &mut Option<Conn>,
) -> Attempt {
    let start = std::time::SystemTime::now();
    let attempt = shared.sender.send_on(conn, &endpoint.url, out).await;
    let outcome = match &attempt {
        Attempt::Delivered { .. } => "delivered",
        Attempt::Failed { .. } => "failed",
    };
    shared.metrics.webhook_attempt(&endpoint.tenant, &endpoint.id, outcome);
    if shared.telemetry.is_on() {
        use opentelemetry::KeyValue;
        let mut attributes = vec![
            KeyValue::new("standin.tenant", endpoint.tenant.clone()),
            KeyValue::new("standin.webhook.endpoint", endpoint.id.clone()),
            KeyValue::new("standin.audit.seq", i64::try_from(seq).unwrap_or(i64::MAX)),
            KeyValue::new("standin.audit.event", event.to_string()),
            KeyValue::new("standin.webhook.outcome", outcome),
        ];
        match &attempt {
            Attempt::Delivered { status }
            | Attempt::Failed {
                status: Some(status), ..
            } => {
                attributes.push(KeyValue::new("http.response.status_code", i64::from(*status)));
            }
            Attempt::Failed { status: None, .. } => {}
        }
        shared
            .telemetry
            .delivery(start, std::time::SystemTime::now(), attributes);
    }
    attempt
}

/// Signs `message` with the endpoint's secrets in force and sends it.
pub(crate) async fn send_message(shared_sender: &impl AsSender, endpoint: &Endpoint, message: &Message) -> Attempt {
    shared_sender
        .sender()
        .send(&endpoint.url, webhook_request(endpoint, message))
        .await
}

/// A Standard Webhooks request of `message`, signed with the endpoint's
/// secrets in force now.
pub(super) fn webhook_request(endpoint: &Endpoint, message: &Message) -> Outgoing {
    let now = Utc::now();
    let timestamp = now.timestamp();
    let signature =
        standin::webhooks::sign::signature(signing_secrets(endpoint, now), &message.id, timestamp, &message.body);
    Outgoing {
        content_type: "application/json",
        headers: vec![
            ("webhook-id", message.id.clone()),
            ("webhook-timestamp", timestamp.to_string()),
            ("webhook-signature", signature),
        ],
        body: message.body.clone(),
    }
}

/// An RFC 8935 push of a signed SET, with the receiver's `Authorization`.
pub(crate) fn set_request(stream: &ssf::Stream, set: String) -> Outgoing {
    let mut headers = vec![("accept", "application/json".to_string())];
    if let Some(auth) = &stream.authorization_header {
        headers.push(("authorization", auth.clone()));
    }
    Outgoing {
        content_type: "application/secevent+jwt",
        headers,
        body: set.into_bytes(),
    }
}

/// Whatever holds a [`Sender`].
pub(crate) trait AsSender {
    fn sender(&self) -> &Sender;
}

impl AsSender for Shared {
    fn sender(&self) -> &Sender {
        &self.sender
    }
}

impl AsSender for Sender {
    fn sender(&self) -> &Sender {
        self
    }
}

/// A number in `[0, 1)` that differs from call to call.
pub(super) fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}
