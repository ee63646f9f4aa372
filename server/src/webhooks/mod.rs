//! Webhook delivery for `standin serve`: the `[webhooks]` settings, the
//! deliverer that runs beside the server ([`deliverer`]) and the one POST
//! it makes per message ([`sender`]). What an endpoint is and how retries
//! go are the library's (`standin::webhooks`); this is the part that
//! needs a network and a clock.

pub(crate) mod attempt;
pub mod deliverer;
mod outbox;
pub(crate) mod schemas;
pub mod sender;

use serde::Deserialize;
use standin::webhooks::Endpoint;
use standin::webhooks::schedule::{Attempt, Message};
use std::time::Duration;

/// `[webhooks]` of the settings file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebhookSettings {
    /// Whether this process delivers (replicas sharing a database may all
    /// deliver: each endpoint is held by one at a time).
    pub deliver: bool,
    /// Receivers at private, loopback or link-local addresses allowed.
    /// Off by default: a tenant admin could otherwise make the server
    /// POST to the operator's internal network or the cloud metadata
    /// address.
    pub allow_private: bool,
    /// The first retry's delay; each next one doubles, up to `retry_max_seconds`.
    pub retry_first_ms: u64,
    pub retry_max_seconds: u64,
    /// How long a failing message is retried before it is dead-lettered.
    pub horizon_seconds: u64,
    /// One attempt's deadline (connect, TLS, request, answer).
    pub timeout_ms: u64,
    /// Endpoints delivered to at once by this process.
    pub concurrency: usize,
    /// How often the deliverer looks for new events.
    pub poll_ms: u64,
    /// How long delivered rows stay in the delivery log (dead letters stay
    /// until replayed or the endpoint is removed).
    pub retention_hours: u64,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            deliver: true,
            allow_private: false,
            retry_first_ms: 1000,
            retry_max_seconds: 3600,
            horizon_seconds: 86_400,
            timeout_ms: 10_000,
            concurrency: 16,
            poll_ms: 250,
            retention_hours: 168,
        }
    }
}

impl WebhookSettings {
    /// Refuses zeros where they would stall or spin the deliverer.
    pub fn check(&self) -> Result<(), String> {
        for (name, value) in [
            ("retry_first_ms", self.retry_first_ms),
            ("retry_max_seconds", self.retry_max_seconds),
            ("horizon_seconds", self.horizon_seconds),
            ("timeout_ms", self.timeout_ms),
            ("poll_ms", self.poll_ms),
            ("concurrency", self.concurrency as u64),
        ] {
            if value == 0 {
                return Err(format!("[webhooks] {name} must be above 0"));
            }
        }
        Ok(())
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }

    /// How messages are sent under these settings.
    pub fn sender(&self) -> sender::Sender {
        sender::Sender {
            timeout: self.timeout(),
            allow_private: self.allow_private,
            user_agent: format!("Standin-Webhooks/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// Sends `endpoint` a signed `webhook.test` message now, outside its
/// delivery order (what `POST .../webhooks/{id}/test` and `standin webhook
/// test` do); the message and what came of it.
pub async fn send_test(endpoint: &Endpoint, settings: &WebhookSettings) -> (Message, Attempt) {
    let at = chrono::Utc::now();
    let nonce = format!("{:x}", at.timestamp_nanos_opt().unwrap_or_default());
    let message = Message::test(&endpoint.tenant, &endpoint.id, at, &nonce);
    let attempt = attempt::send_message(&settings.sender(), endpoint, &message).await;
    (message, attempt)
}

/// [`send_test`] from outside a runtime (the CLI).
pub fn send_test_blocking(endpoint: &Endpoint, settings: &WebhookSettings) -> std::io::Result<(Message, Attempt)> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    Ok(runtime.block_on(send_test(endpoint, settings)))
}
