//! [`WebhookStore`]: tenants' webhook endpoints, where each one's delivery
//! stands, and its delivery log.
//!
//! There is no queue of messages: the tenant's audit chain is the queue.
//! An event is committed once, in its own transaction, and every endpoint
//! keeps a cursor (the last `seq` it handled), so no event can be committed
//! without being due to every endpoint, and nothing is delivered that is
//! not in the chain. A deliverer leases an endpoint, sends what follows
//! its cursor, and moves the cursor with the log rows in one transaction,
//! only while its lease holds: replicas deliver each endpoint's events one
//! deliverer at a time, in order, and a deliverer that dies leaves a lease
//! that runs out, never an event stuck.

use super::StoreError;
use crate::webhooks::{Delivery, DeliveryStatus, Endpoint, Progress, Secret};
use chrono::{DateTime, Utc};

/// Webhook endpoints and their delivery (see the module's documentation).
pub trait WebhookStore: Send + Sync + std::fmt::Debug {
    /// Stores a new endpoint, its cursors at the tenant's audit head and
    /// last outbox message as of this commit (it receives what happens
    /// from then on).
    fn put_webhook(&self, endpoint: &Endpoint) -> Result<(), StoreError>;
    /// Replaces what an endpoint is: its URL, events, description, secrets
    /// and SSF stream, as given (tagged anew); where its delivery stands
    /// stays. `false` when there is no such endpoint.
    fn update_webhook(&self, endpoint: &Endpoint) -> Result<bool, StoreError>;
    /// Moves a poll stream's cursor to `seq` if it is behind it (a
    /// receiver's acknowledgement); `false` when there is no such endpoint.
    fn ack_webhook(&self, id: &str, seq: u64) -> Result<bool, StoreError>;
    /// A tenant's endpoints (every tenant's with `None`), oldest first.
    /// An endpoint whose row a database writer made or edited is
    /// [`StoreError::Forged`].
    fn webhooks(&self, tenant: Option<&str>) -> Result<Vec<Endpoint>, StoreError>;
    fn webhook(&self, id: &str) -> Result<Option<Endpoint>, StoreError>;
    /// Removes an endpoint and its log; `false` when there is no such
    /// endpoint.
    fn remove_webhook(&self, id: &str) -> Result<bool, StoreError>;
    /// Leases up to `limit` endpoints that are due at `now` (events of
    /// their tenant follow their cursor and their retry time, if any, has
    /// come; or an admin replayed dead letters) and that no one holds, to
    /// `holder` until
    /// `until`: two deliverers, in any processes, never hold one endpoint
    /// at once (SQLite: the write lock; PostgreSQL: `FOR UPDATE SKIP
    /// LOCKED`). Rows whose tag does not hold, and poll streams (their
    /// receivers come for their events), are never leased.
    fn lease_webhooks(
        &self,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<Endpoint>, StoreError>;
    /// Records a round (see [`Progress`]) if `progress.holder` still holds
    /// the endpoint's lease; `false` (nothing written) otherwise.
    fn advance_webhook(&self, progress: &Progress) -> Result<bool, StoreError>;
    /// An endpoint's log, newest first, of one status or all.
    fn webhook_deliveries(
        &self,
        id: &str,
        status: Option<DeliveryStatus>,
        limit: usize,
    ) -> Result<Vec<Delivery>, StoreError>;
    /// Marks an endpoint's dead letters for delivery again; how many.
    fn replay_webhook(&self, id: &str, at: DateTime<Utc>) -> Result<usize, StoreError>;
    /// Forgets delivered rows older than `before` (dead letters stay).
    fn prune_webhook_log(&self, before: DateTime<Utc>) -> Result<usize, StoreError>;
}

/// An endpoint as both backends store it: one row, times in Unix seconds,
/// the event filter and the secrets as JSON text. The backends read and
/// write the cells; what they mean is decided here, once.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointRow {
    pub id: String,
    pub tenant: String,
    pub url: String,
    pub events: String,
    pub description: Option<String>,
    pub created_at: i64,
    pub secrets: String,
    pub cursor_seq: i64,
    pub attempts: i64,
    pub failing_since: Option<i64>,
    pub next_at: Option<i64>,
    pub last_error: Option<String>,
    pub lease_holder: Option<String>,
    pub lease_until: Option<i64>,
    pub tag: Option<String>,
    /// `webhook`, `ssf-push` or `ssf-poll` ([`Endpoint::format`]).
    pub format: String,
    /// An SSF stream's settings as JSON.
    pub options: Option<String>,
    /// The last outbox message id handled ([`Cursor::outbox`](crate::webhooks::Cursor::outbox)).
    pub outbox_seq: i64,
}

/// The columns of [`EndpointRow`], in its fields' order.
pub const ENDPOINT_COLUMNS: &str = "id, tenant, url, events, description, created_at, secrets, cursor_seq, attempts, \
     failing_since, next_at, last_error, lease_holder, lease_until, tag, format, options, outbox_seq";

/// The columns of a [`Delivery`] row, in its fields' order.
pub const DELIVERY_COLUMNS: &str = "endpoint, seq, message_id, event, status, attempts, response_status, error, at";

#[derive(serde::Serialize, serde::Deserialize)]
struct StoredSecret {
    value: String,
    expires_at: Option<i64>,
}

fn corrupt(column: &'static str, message: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        column,
        message: message.to_string(),
    }
}

fn time(column: &'static str, t: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp(t, 0).ok_or_else(|| corrupt(column, format!("{t} is not a time")))
}

/// The secrets' column.
fn secrets_text(secrets: &[Secret]) -> String {
    let stored: Vec<_> = secrets
        .iter()
        .map(|s| StoredSecret {
            value: s.value.clone(),
            expires_at: s.expires_at.map(|t| t.timestamp()),
        })
        .collect();
    serde_json::to_string(&stored).expect("secrets serialize")
}

impl EndpointRow {
    /// The row of a new endpoint, tagged.
    pub fn new(e: &Endpoint, integrity: &super::Integrity) -> Self {
        Self {
            id: e.id.clone(),
            tenant: e.tenant.clone(),
            url: e.url.clone(),
            events: serde_json::to_string(&e.events).expect("a filter serializes"),
            description: e.description.clone(),
            created_at: e.created_at.timestamp(),
            secrets: secrets_text(&e.secrets),
            cursor_seq: i64::try_from(e.cursor.seq).unwrap_or(i64::MAX),
            attempts: i64::from(e.cursor.attempts),
            failing_since: e.cursor.failing_since.map(|t| t.timestamp()),
            next_at: e.cursor.next_at.map(|t| t.timestamp_millis()),
            last_error: e.cursor.last_error.clone(),
            lease_holder: e.lease.as_ref().map(|l| l.holder.clone()),
            lease_until: e.lease.as_ref().map(|l| l.until.timestamp_millis()),
            tag: integrity.endpoint_tag(e),
            format: e.format().to_string(),
            options: e
                .stream
                .as_ref()
                .map(|s| serde_json::to_string(s).expect("a stream serializes")),
            outbox_seq: e.cursor.outbox,
        }
    }

    /// The endpoint, if every cell means something and its tag holds.
    /// (`next_at` and `lease_until` are milliseconds: retries and leases
    /// are shorter than a second apart.)
    pub fn endpoint(self, integrity: &super::Integrity) -> Result<Endpoint, StoreError> {
        use crate::webhooks::{Cursor, EventFilter, Lease};
        let millis = |column, t: i64| DateTime::from_timestamp_millis(t).ok_or_else(|| corrupt(column, t));
        let patterns: Vec<String> = serde_json::from_str(&self.events).map_err(|e| corrupt("events", e))?;
        let events = EventFilter::new(patterns).map_err(|e| corrupt("events", e))?;
        let secrets: Vec<StoredSecret> = serde_json::from_str(&self.secrets).map_err(|e| corrupt("secrets", e))?;
        let secrets = secrets
            .into_iter()
            .map(|s| {
                Ok(Secret {
                    value: s.value,
                    expires_at: s.expires_at.map(|t| time("secrets", t)).transpose()?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let endpoint = Endpoint {
            id: self.id,
            tenant: self.tenant,
            url: self.url,
            events,
            description: self.description,
            created_at: time("created_at", self.created_at)?,
            secrets,
            stream: self
                .options
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(|e| corrupt("options", e))?,
            cursor: Cursor {
                seq: u64::try_from(self.cursor_seq).map_err(|e| corrupt("cursor_seq", e))?,
                attempts: u32::try_from(self.attempts).map_err(|e| corrupt("attempts", e))?,
                failing_since: self.failing_since.map(|t| time("failing_since", t)).transpose()?,
                next_at: self.next_at.map(|t| millis("next_at", t)).transpose()?,
                last_error: self.last_error,
                outbox: self.outbox_seq,
            },
            lease: match (self.lease_holder, self.lease_until) {
                (Some(holder), Some(until)) => Some(Lease {
                    holder,
                    until: millis("lease_until", until)?,
                }),
                _ => None,
            },
        };
        integrity.check_endpoint(endpoint, self.tag.as_deref())
    }
}

/// A delivery row from its cells (in [`DELIVERY_COLUMNS`]' order).
#[allow(clippy::too_many_arguments)]
pub fn delivery_row(
    endpoint: String,
    seq: i64,
    message_id: String,
    event: String,
    status: &str,
    attempts: i64,
    response_status: Option<i64>,
    error: Option<String>,
    at: i64,
) -> Result<Delivery, StoreError> {
    Ok(Delivery::new(
        &endpoint,
        u64::try_from(seq).map_err(|e| corrupt("seq", e))?,
        &message_id,
        &event,
        DeliveryStatus::parse(status).ok_or_else(|| corrupt("status", status))?,
        u32::try_from(attempts).map_err(|e| corrupt("attempts", e))?,
        response_status
            .map(|s| u16::try_from(s).map_err(|e| corrupt("response_status", e)))
            .transpose()?,
        error,
        time("at", at)?,
    ))
}
