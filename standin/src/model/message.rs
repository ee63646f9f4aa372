//! Messages to impersonated users (N1): what the outbox holds, and each
//! tenant's switch and texts. Written in the same transaction as the
//! session change they tell of; delivered by the platform, which
//! acknowledges them.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// `impersonation.started` / `impersonation.ended`.
pub mod kinds {
    pub const STARTED: &str = "impersonation.started";
    pub const ENDED: &str = "impersonation.ended";
    /// What was changed on the target's behalf, sent when the session ends (N2).
    pub const CHANGES: &str = "impersonation.changes";
    /// A start waits for approval: to the target when it may approve, and
    /// to `role:NAME` for each approver role (the platform tells the
    /// holders).
    pub const APPROVAL_REQUESTED: &str = "impersonation.approval-requested";
}

/// A message to write in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    pub tenant: String,
    pub to: String,
    pub kind: String,
    pub session: String,
    pub text: String,
    pub created_at: DateTime<Utc>,
}

impl NewMessage {
    /// The message as stored, under the `id` the store gave it.
    pub fn stored(self, id: i64) -> OutboxMessage {
        OutboxMessage {
            id,
            tenant: self.tenant,
            to: self.to,
            kind: self.kind,
            session: self.session,
            text: self.text,
            created_at: self.created_at,
            acked_at: None,
        }
    }
}

/// A message of the outbox (docs/contract.md "Outbox message").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxMessage {
    pub id: i64,
    pub tenant: String,
    pub to: String,
    pub kind: String,
    pub session: String,
    pub text: String,
    pub created_at: DateTime<Utc>,
    pub acked_at: Option<DateTime<Utc>>,
}

/// What acknowledging messages did ([`crate::store::OutboxStore::ack`]): all or nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Acked {
    /// Messages newly acknowledged (already acknowledged ones are not counted again).
    pub acked: usize,
    /// Ids given that are not the tenant's messages (no such message, or
    /// another tenant's), in the order given. When there is any, nothing
    /// was acknowledged: a wrong list is not half applied.
    pub unknown: Vec<i64>,
}

/// A tenant's notification switch and texts (N1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notifications {
    pub enabled: bool,
    /// Placeholders: `{actor}`, `{target}`, `{reason}`, `{session}`, `{expires_at}`.
    pub started_template: String,
    /// Placeholders: those of the started template and `{end_reason}`.
    pub ended_template: String,
}

impl Default for Notifications {
    fn default() -> Self {
        Self {
            enabled: true,
            started_template: "{actor} started impersonating you ({reason}) until {expires_at}".to_string(),
            ended_template: "{actor} stopped impersonating you ({end_reason})".to_string(),
        }
    }
}
