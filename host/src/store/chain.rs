//! The audit hash chain: each event's hash covers the previous event's hash
//! and every field of the event, `seq` and `tenant` included, so editing,
//! deleting, inserting or reordering rows breaks the chain.

use super::{AuditEvent, PolicyRef};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest as _, Sha256};

/// The `prev_hash` of a tenant's first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Every field of an event but its hash, in a fixed order.
#[derive(Serialize)]
struct Canonical<'a> {
    seq: u64,
    tenant: &'a str,
    at: i64,
    event: &'a str,
    session: Option<&'a str>,
    actor: &'a str,
    target: &'a str,
    action: Option<&'a str>,
    resource: Option<&'a str>,
    reason: Option<&'a str>,
    codes: &'a [String],
    end_reason: Option<&'a str>,
    policy: &'a PolicyRef,
    expires_at: Option<i64>,
    obligations: Option<&'a [String]>,
    note: Option<&'a str>,
    request: Option<&'a str>,
}

/// `sha256(prev_hash || canonical JSON of the event's fields)`, in hex.
pub fn chain_hash(prev_hash: &str, e: &AuditEvent) -> String {
    let canonical = Canonical {
        seq: e.seq,
        tenant: &e.tenant,
        at: e.at.timestamp(),
        event: &e.event,
        session: e.session.as_deref(),
        actor: &e.actor,
        target: &e.target,
        action: e.action.as_deref(),
        resource: e.resource.as_deref(),
        reason: e.reason.as_deref(),
        codes: &e.codes,
        end_reason: e.end_reason.as_deref(),
        policy: &e.policy,
        expires_at: e.expires_at.as_ref().map(DateTime::<Utc>::timestamp),
        obligations: e.obligations.as_deref(),
        note: e.note.as_deref(),
        request: e.request.as_deref(),
    };
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(serde_json::to_vec(&canonical).unwrap_or_default());
    hex(&hasher.finalize())
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
