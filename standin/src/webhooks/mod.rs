//! Webhooks: audit events pushed to a tenant's endpoints, signed as
//! Standard Webhooks define (see [`sign`]), at least once, in order.
//!
//! Why this shape: the audit chain already is a durable, ordered,
//! per-tenant log written in the transaction of every change, so an
//! endpoint needs only a cursor into it ([`Cursor`]), not a second queue
//! written on the decision path. A decision costs nothing more with a
//! hundred endpoints than with none; a slow or dead receiver holds back
//! only its own cursor. The deliverer that sends (in `standin-server`)
//! leases an endpoint, sends what follows its cursor, and records the
//! new cursor with its log rows while it holds the lease
//! ([`crate::store::WebhookStore`]); [`schedule`] decides retries, backoff
//! and dead letters.

mod delivery;
mod endpoint;
pub mod schedule;
pub mod sign;
pub mod ssf;

pub use delivery::{Delivery, DeliveryStatus, OUTBOX_SEQ, Progress};
pub use endpoint::{
    Cursor, Endpoint, EndpointError, EventFilter, Lease, MAX_ENDPOINTS_PER_TENANT, MAX_EVENT_PATTERNS, MAX_URL_BYTES,
    OUTBOX_KINDS, Secret, check_url,
};

use crate::audit::AuditEvent;
use crate::store::{AuditFilter, StoreError};
use chrono::{DateTime, TimeDelta, Utc};

/// How long the previous secret keeps signing after a rotation by default.
pub const DEFAULT_ROTATION_OVERLAP: TimeDelta = TimeDelta::hours(24);

/// Why a webhook call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    #[error(transparent)]
    Endpoint(#[from] EndpointError),
    #[error("no webhook endpoint `{0}`")]
    Unknown(String),
    #[error("tenant `{0}` has {MAX_ENDPOINTS_PER_TENANT} webhook endpoints already")]
    TooMany(String),
    #[error("cannot make a secret: {0}")]
    Random(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What `webhook add` asks for.
#[derive(Debug, Clone)]
pub struct NewEndpoint {
    pub url: String,
    pub events: Vec<String>,
    pub description: Option<String>,
}

/// Webhook endpoints; from [`Standin::webhooks`](crate::Standin::webhooks).
#[derive(Debug, Clone, Copy)]
pub struct Webhooks<'a>(pub(crate) &'a crate::Standin);

impl Webhooks<'_> {
    /// Adds an endpoint; returns it and its secret (shown once). It
    /// receives the tenant's events from now on.
    pub fn add(&self, tenant: &str, new: NewEndpoint, now: DateTime<Utc>) -> Result<(Endpoint, String), WebhookError> {
        check_url(&new.url)?;
        let events = EventFilter::new(new.events)?;
        let secret = sign::new_secret().map_err(|e| WebhookError::Random(e.to_string()))?;
        let endpoint = Endpoint {
            id: crate::model::random_id("wh-"),
            tenant: tenant.to_string(),
            url: new.url,
            events,
            description: new.description,
            created_at: now,
            secrets: vec![Secret {
                value: secret.clone(),
                expires_at: None,
            }],
            stream: None,
            cursor: Cursor::default(),
            lease: None,
        };
        Ok((self.put(endpoint)?, secret))
    }

    /// Adds an SSF stream: pushed to `url` ([`ssf::PUSH`]) or polled by
    /// its receiver ([`ssf::POLL`], `url` none). Like an endpoint it
    /// receives what happens from now on.
    pub fn add_stream(
        &self,
        tenant: &str,
        stream: ssf::Stream,
        url: Option<String>,
        description: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<Endpoint, WebhookError> {
        let url = match (stream.method.as_str(), url) {
            (ssf::PUSH, Some(url)) => {
                check_url(&url)?;
                url
            }
            (ssf::PUSH, None) => {
                return Err(EndpointError::Url("a push stream needs `delivery.endpoint_url`".into()).into());
            }
            (_, _) => ssf::POLL.to_string(),
        };
        let endpoint = Endpoint {
            id: crate::model::random_id("ssf-"),
            tenant: tenant.to_string(),
            url,
            events: EventFilter::new(stream.audit_events())?,
            description,
            created_at: now,
            secrets: Vec::new(),
            stream: Some(stream),
            cursor: Cursor::default(),
            lease: None,
        };
        self.put(endpoint)
    }

    /// Stores a new endpoint or stream, within the tenant's room for them;
    /// the endpoint as stored (its cursors at the tenant's head).
    fn put(&self, endpoint: Endpoint) -> Result<Endpoint, WebhookError> {
        if endpoint.description.as_ref().is_some_and(|d| d.len() > 256) {
            return Err(EndpointError::Description.into());
        }
        if self.0.store.webhooks(Some(&endpoint.tenant))?.len() >= MAX_ENDPOINTS_PER_TENANT {
            return Err(WebhookError::TooMany(endpoint.tenant.clone()));
        }
        self.0.store.put_webhook(&endpoint)?;
        self.get(&endpoint.tenant, &endpoint.id)
    }

    /// Replaces an SSF stream's settings (state, audience, events).
    pub fn set_stream(&self, tenant: &str, id: &str, stream: ssf::Stream) -> Result<Endpoint, WebhookError> {
        let mut endpoint = self.get(tenant, id)?;
        if endpoint.stream.is_none() {
            return Err(WebhookError::Unknown(id.to_string()));
        }
        endpoint.events = EventFilter::new(stream.audit_events())?;
        endpoint.stream = Some(stream);
        self.update(tenant, &endpoint)
    }

    /// A poll stream's receiver acknowledged every SET up to `seq`.
    pub fn ack(&self, tenant: &str, id: &str, seq: u64) -> Result<(), WebhookError> {
        self.get(tenant, id)?;
        self.0.store.ack_webhook(id, seq)?;
        Ok(())
    }

    /// Signs SET `claims` with the server's token key (`None` without one).
    pub fn sign_set(&self, claims: &serde_json::Value) -> Option<String> {
        self.0.tokens.as_ref().map(|k| k.sign_set(claims))
    }

    /// A tenant's endpoints, oldest first.
    pub fn list(&self, tenant: &str) -> Result<Vec<Endpoint>, WebhookError> {
        Ok(self.0.store.webhooks(Some(tenant))?)
    }

    /// One of a tenant's endpoints (another tenant's is unknown here).
    pub fn get(&self, tenant: &str, id: &str) -> Result<Endpoint, WebhookError> {
        match self.0.store.webhook(id)? {
            Some(e) if e.tenant == tenant => Ok(e),
            _ => Err(WebhookError::Unknown(id.to_string())),
        }
    }

    pub fn remove(&self, tenant: &str, id: &str) -> Result<Endpoint, WebhookError> {
        let endpoint = self.get(tenant, id)?;
        self.0.store.remove_webhook(id)?;
        Ok(endpoint)
    }

    /// A new secret for the endpoint (returned once); the current one keeps
    /// signing beside it for `overlap`, so receivers can switch without
    /// refusing a message. Older secrets are dropped.
    pub fn rotate(
        &self,
        tenant: &str,
        id: &str,
        overlap: TimeDelta,
        now: DateTime<Utc>,
    ) -> Result<(Endpoint, String), WebhookError> {
        let mut endpoint = self.get(tenant, id)?;
        let secret = sign::new_secret().map_err(|e| WebhookError::Random(e.to_string()))?;
        let mut secrets = vec![Secret {
            value: secret.clone(),
            expires_at: None,
        }];
        if let Some(current) = endpoint.secrets.iter().find(|s| s.expires_at.is_none()) {
            secrets.push(Secret {
                value: current.value.clone(),
                expires_at: Some(now + overlap),
            });
        }
        endpoint.secrets = secrets;
        Ok((self.update(tenant, &endpoint)?, secret))
    }

    /// Writes `endpoint`'s definition back; the endpoint as stored then.
    fn update(&self, tenant: &str, endpoint: &Endpoint) -> Result<Endpoint, WebhookError> {
        if !self.0.store.update_webhook(endpoint)? {
            return Err(WebhookError::Unknown(endpoint.id.clone()));
        }
        self.get(tenant, &endpoint.id)
    }

    /// The endpoint's delivery log, newest first.
    pub fn deliveries(
        &self,
        tenant: &str,
        id: &str,
        status: Option<DeliveryStatus>,
        limit: usize,
    ) -> Result<Vec<Delivery>, WebhookError> {
        self.get(tenant, id)?;
        Ok(self.0.store.webhook_deliveries(id, status, limit)?)
    }

    /// Sends the endpoint's dead letters again; how many were queued.
    pub fn replay(&self, tenant: &str, id: &str, now: DateTime<Utc>) -> Result<usize, WebhookError> {
        self.get(tenant, id)?;
        Ok(self.0.store.replay_webhook(id, now)?)
    }

    /// Up to `limit` of the tenant's outbox messages after id `after`,
    /// acknowledged or not, in order (what an `outbox.*` endpoint gets).
    pub fn messages_after(
        &self,
        tenant: &str,
        after: i64,
        limit: usize,
    ) -> Result<Vec<crate::model::OutboxMessage>, StoreError> {
        self.0.store.outbox_page(Some(tenant), true, Some(after), limit)
    }

    /// Up to `limit` of the tenant's events after `seq`, in order (what a
    /// deliverer sends next).
    pub fn events_after(&self, tenant: &str, seq: u64, limit: usize) -> Result<Vec<AuditEvent>, StoreError> {
        self.0.store.audit(&AuditFilter {
            tenant: Some(tenant.to_string()),
            after_seq: Some(seq),
            limit: Some(limit),
            ..AuditFilter::default()
        })
    }
}

/// The secrets of `endpoint` that sign at `now`.
pub fn signing_secrets(endpoint: &Endpoint, now: DateTime<Utc>) -> impl Iterator<Item = &str> {
    endpoint
        .secrets
        .iter()
        .filter(move |s| s.expires_at.is_none_or(|t| t > now))
        .map(|s| s.value.as_str())
}
