//! The audit hash chain: each event's hash covers the previous event's hash
//! and every field of the event, `seq` and `tenant` included, so editing,
//! deleting, inserting or reordering rows breaks the chain.
//!
//! Two formats, recorded per row (`audit.chain`), so a trail written by an
//! older build still verifies and new rows are appended to it:
//!
//! - [`CHAIN_V1`]: `sha256(prev_hash || canonical JSON of the event)`. The
//!   JSON holds the whole request the policy saw (about 1 KB), so the
//!   writer hashed ~1 KB per row under the write lock.
//! - [`CHAIN_V2`]: `sha256("audit/v2" || prev_hash || seq || row digest)`,
//!   where the row digest ([`row_digest`]) is the sha256 of the event's
//!   fields in a length-prefixed binary form. The digest does not depend on
//!   the chain's position, so the caller computes it on its own thread and
//!   the writer only hashes 116 bytes (two sha256 blocks) per row. An
//!   action's request is covered through the digest of its session's facts
//!   ([`RequestFacts`](super::RequestFacts)), stored once per session: the
//!   row's digest covers that digest, and `audit verify` checks the stored
//!   facts against it.

use super::{AuditEvent, PolicyRef};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest as _, Sha256};

/// The `prev_hash` of a tenant's first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The first format: the event's canonical JSON, request text included.
pub const CHAIN_V1: u32 = 1;
/// The current format: a digest of the row, chained in 116 bytes.
pub const CHAIN_V2: u32 = 2;

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

/// The [`CHAIN_V1`] hash: `sha256(prev_hash || canonical JSON of the
/// event's fields)`, in hex.
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

/// Feeds values to sha256 in an unambiguous binary form: strings and lists
/// are length-prefixed, options carry a presence byte.
struct Fields(Sha256);

impl Fields {
    fn u64(&mut self, v: u64) {
        self.0.update(v.to_le_bytes());
    }

    fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.0.update(s.as_bytes());
    }

    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.0.update([0]),
            Some(s) => {
                self.0.update([1]);
                self.str(s);
            }
        }
    }

    fn list(&mut self, l: &[String]) {
        self.u64(l.len() as u64);
        for s in l {
            self.str(s);
        }
    }
}

/// The [`CHAIN_V2`] digest of an event: sha256 of every field but `seq`,
/// `prev_hash` and `hash` (the chain step adds `seq` and `prev_hash`).
/// The request is covered as its text, or, for an action whose request is
/// stored once per session, as the digest of those facts (the rest of the
/// request, `tenant`, `action`, `resource` and `now`, are fields of the
/// event already).
pub fn row_digest(e: &AuditEvent) -> [u8; 32] {
    let mut f = Fields(Sha256::new());
    f.0.update(b"standin audit row v2\0");
    f.str(&e.tenant);
    f.u64(e.at.timestamp() as u64);
    f.str(&e.event);
    f.opt_str(e.session.as_deref());
    f.str(&e.actor);
    f.str(&e.target);
    f.opt_str(e.action.as_deref());
    f.opt_str(e.resource.as_deref());
    f.opt_str(e.reason.as_deref());
    f.list(&e.codes);
    f.opt_str(e.end_reason.as_deref());
    f.u64(u64::from(e.policy.version));
    f.str(&e.policy.digest);
    match e.expires_at {
        None => f.0.update([0]),
        Some(t) => {
            f.0.update([1]);
            f.u64(t.timestamp() as u64);
        }
    }
    match &e.obligations {
        None => f.0.update([0]),
        Some(l) => {
            f.0.update([1]);
            f.list(l);
        }
    }
    f.opt_str(e.note.as_deref());
    match &e.seal.facts {
        Some(facts) => {
            f.0.update([2]);
            f.str(&facts.digest);
        }
        None => f.opt_str(e.request.as_deref()),
    }
    f.0.finalize().into()
}

/// The [`CHAIN_V2`] hash: `sha256("audit/v2" || len || prev_hash || seq ||
/// row digest)`, in hex. 116 bytes for a 64-digit `prev_hash`: two blocks.
pub fn chain_hash_v2(prev_hash: &str, seq: u64, row: &[u8; 32]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"audit/v2");
    hasher.update(u32::try_from(prev_hash.len()).unwrap_or(u32::MAX).to_le_bytes());
    hasher.update(prev_hash.as_bytes());
    hasher.update(seq.to_le_bytes());
    hasher.update(row);
    hex(&hasher.finalize())
}

/// The hash a chained event must carry after `prev_hash`, in its row's
/// format; `None` for a format this build does not know.
pub fn expected_hash(prev_hash: &str, e: &AuditEvent) -> Option<String> {
    match e.seal.chain {
        CHAIN_V1 => Some(chain_hash(prev_hash, e)),
        CHAIN_V2 => Some(chain_hash_v2(prev_hash, e.seq, &row_digest(e))),
        _ => None,
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}
