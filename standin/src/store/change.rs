//! What one store transaction writes ([`Change`]) and what it became
//! ([`Applied`]), and what the readers ask for ([`AuditFilter`], [`Trail`]).

use crate::audit::AuditEvent;
use crate::model::{NewMessage, OutboxMessage, SessionRecord};
use crate::policies::StoredPolicy;
use chrono::{DateTime, Utc};

/// What one transaction writes: at most one session row (new or updated),
/// audit events (the store assigns `seq`, `prev_hash` and `hash`) and
/// outbox messages.
#[derive(Debug, Clone, Default)]
pub struct Change {
    pub insert: Option<SessionRecord>,
    /// The session row as it is after the change: its state, end, expiry,
    /// revoke reason and principals are written, and, when an approval
    /// starts it, its start, ceiling, parent, depth and approval (its other
    /// fields never change).
    pub update: Option<SessionRecord>,
    pub audit: Vec<AuditEvent>,
    pub outbox: Vec<NewMessage>,
}

impl Change {
    pub fn is_empty(&self) -> bool {
        self.insert.is_none() && self.update.is_none() && self.audit.is_empty() && self.outbox.is_empty()
    }
}

/// What a [`Change`] became: the audit events as chained, the messages with their ids.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    pub audit: Vec<AuditEvent>,
    pub outbox: Vec<OutboxMessage>,
    /// The session row as written (inserted, else updated): its times are
    /// the chain's, which may be later than the change said (see
    /// [`crate::store::Integrity::stamp`]).
    pub session: Option<SessionRecord>,
}

/// One tenant's audit chain (by `seq`), sessions (newest first) and
/// policy versions (oldest first): [`AuditStore::trail`](super::AuditStore::trail).
#[derive(Debug, Clone, Default)]
pub struct Trail {
    pub events: Vec<AuditEvent>,
    pub sessions: Vec<SessionRecord>,
    pub policies: Vec<StoredPolicy>,
    /// Rows whose tag the store's key does not make (`session `s-1``,
    /// `policy version 2`, ...): forged or edited (see [`crate::store::Integrity`]).
    pub unauthenticated: Vec<String>,
    /// The chain head the store keeps beside the events (`seq`, `hash`), if
    /// it keeps one (PostgreSQL's `chain_heads`): it must be the last
    /// event's, or rows were cut off the tail.
    pub recorded_head: Option<(u64, String)>,
}

/// Filters of `audit query` (A4). Every given field must match; `since` is
/// inclusive, `until` exclusive.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub tenant: Option<String>,
    pub actor: Option<String>,
    pub target: Option<String>,
    pub event: Option<String>,
    pub session: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Only events after this `seq` (a page's cursor; with a `tenant`,
    /// whose chain the `seq` numbers).
    pub after_seq: Option<u64>,
    /// At most this many events (a page), in the usual order.
    pub limit: Option<usize>,
}
