//! The audit hash chain: each event's hash covers the previous event's hash
//! and every field of the event, `seq` and `tenant` included, so editing,
//! deleting, inserting or reordering rows breaks the chain.
//!
//! Three formats, recorded per row (`audit.chain`), so a trail written by
//! an older build still verifies and new rows are appended to it:
//!
//! - [`CHAIN_V1`]: `sha256(prev_hash || canonical JSON of the event)`. The
//!   JSON holds the whole request the policy saw (about 1 KB), so the
//!   writer hashed ~1 KB per row under the write lock.
//! - [`CHAIN_V2`]: `sha256("audit/v2" || prev_hash || seq || row digest)`,
//!   where the row digest ([`row_digest`]) is the sha256 of the event's
//!   fields in a length-prefixed binary form. The digest does not depend on
//!   the chain's position, so the caller computes it on its own thread and
//!   the writer only hashes 116 bytes (two sha256 blocks) per row. Software
//!   sha256 costs ~0.35 µs per 64-byte block on the machine measured (no
//!   SHA extensions), so block counts matter. An
//!   action's request is covered through the digest of its session's facts
//!   ([`RequestFacts`](super::RequestFacts)), stored once per session: the
//!   row's digest covers that digest, and `audit verify` checks the stored
//!   facts against it.
//! - [`CHAIN_V3`], the current one when the host has its key:
//!   [`CHAIN_V2`]'s input under an HMAC keyed from the host key
//!   (`Keyring::chain_hash` in `store/keyring.rs`), so whoever can write the database but
//!   lacks the key cannot extend the chain or rewrite it with fresh hashes.

use super::AuditEvent;
use crate::decision::PolicyRef;
use crate::store::StoreError;
use crate::store::{Integrity, Keyring};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest as _, Sha256};
use std::collections::HashMap;

/// The `prev_hash` of a tenant's first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The first format: the event's canonical JSON, request text included.
pub const CHAIN_V1: u32 = 1;
/// A digest of the row, chained in 116 bytes, with no key.
pub const CHAIN_V2: u32 = 2;
/// The current format when the host has its key: [`CHAIN_V2`]'s input,
/// chained with an HMAC under a key derived from the host key, so a
/// database writer cannot extend the chain ([`crate::store::Integrity`]).
pub const CHAIN_V3: u32 = 3;

/// A tenant's chain head as a store found it under its lock.
#[derive(Debug, Clone)]
pub struct Head {
    /// The last event's `seq` (0 for an empty chain).
    pub seq: u64,
    /// The last event's `hash` ([`GENESIS_HASH`] for an empty chain).
    pub hash: String,
    /// The last event's time.
    pub at: Option<DateTime<Utc>>,
    /// The last event's chain format (0 for an empty chain).
    pub chain: u32,
}

impl Head {
    /// The head of an empty chain.
    pub fn genesis() -> Self {
        Self {
            seq: 0,
            hash: GENESIS_HASH.to_string(),
            at: None,
            chain: 0,
        }
    }
}

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

/// Values in an unambiguous binary form: LEB128 numbers and lengths,
/// options behind a presence byte.
#[derive(Default)]
struct Fields(Vec<u8>);

impl Fields {
    fn uint(&mut self, mut v: u64) {
        loop {
            let low = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.0.push(low);
                return;
            }
            self.0.push(low | 0x80);
        }
    }

    fn str(&mut self, s: &str) {
        self.uint(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }

    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.0.push(0),
            Some(s) => {
                self.0.push(1);
                self.str(s);
            }
        }
    }

    fn list(&mut self, l: &[String]) {
        self.uint(l.len() as u64);
        for s in l {
            self.str(s);
        }
    }

    fn sha256(&self) -> [u8; 32] {
        Sha256::digest(&self.0).into()
    }
}

/// The fields an action's row shares with every other action of its
/// session: `tenant`, `session`, `actor`, `target`, `reason`, `policy` and
/// the request (its facts' digest, or its text).
fn session_part(e: &AuditEvent) -> Fields {
    let mut f = Fields::default();
    f.0.extend_from_slice(b"audit/v2/session");
    f.str(&e.tenant);
    f.opt_str(e.session.as_deref());
    f.str(&e.actor);
    f.str(&e.target);
    f.opt_str(e.reason.as_deref());
    f.uint(u64::from(e.policy.version));
    f.str(&e.policy.digest);
    match &e.seal.facts {
        Some(facts) => {
            f.0.push(2);
            f.str(&facts.digest);
        }
        None => f.opt_str(e.request.as_deref()),
    }
    f
}

/// The sha256 of the fields an event shares with the other actions of
/// its session (see [`row_digest`]).
pub fn session_digest(e: &AuditEvent) -> [u8; 32] {
    session_part(e).sha256()
}

/// [`row_digest`] given the event's [`session_digest`].
pub fn row_digest_after(session: &[u8; 32], e: &AuditEvent) -> [u8; 32] {
    let mut f = Fields::default();
    f.0.extend_from_slice(b"audit/v2/row");
    f.0.extend_from_slice(session);
    f.uint(e.at.timestamp() as u64);
    f.str(&e.event);
    f.opt_str(e.action.as_deref());
    f.opt_str(e.resource.as_deref());
    f.list(&e.codes);
    f.opt_str(e.end_reason.as_deref());
    match e.expires_at {
        None => f.0.push(0),
        Some(t) => {
            f.0.push(1);
            f.uint(t.timestamp() as u64);
        }
    }
    match &e.obligations {
        None => f.0.push(0),
        Some(l) => {
            f.0.push(1);
            f.list(l);
        }
    }
    f.opt_str(e.note.as_deref());
    f.sha256()
}

/// The [`CHAIN_V2`] digest of an event: every field but `seq`, `prev_hash`
/// and `hash` (the chain step adds `seq` and `prev_hash`), in two steps.
/// The fields that are the same for every action of a session (identities,
/// reason, policy, request facts) have their own digest, made once per
/// session by the caller; the row's digest covers that digest and the rest
/// (time, event, action, resource, codes, ...), about 110 bytes, two
/// sha256 blocks. The request is covered as its text, or, for an action
/// whose request is stored once per session, as the digest of those facts
/// (the rest of its request, `tenant`, `action`, `resource` and `now`, are
/// fields of the event).
pub fn row_digest(e: &AuditEvent) -> [u8; 32] {
    row_digest_after(&session_digest(e), e)
}

/// Seals `e` onto its tenant's chain `head`: sets its `seq`, `prev_hash`,
/// chain format, row digest and `hash`, and moves the head past it. With
/// a key the event is chained in [`CHAIN_V3`], without in [`CHAIN_V2`],
/// which is refused after a keyed event ([`StoreError::Unkeyed`]: no
/// downgrade). A tenant's trail never runs backwards in time: an event
/// stamped before the head takes the head's time (a change's rows were
/// lifted with it first, by [`Integrity::stamp`]); a time too far past
/// the real clock is refused. Every store appends through this, so every
/// backend chains alike.
pub fn seal(e: &mut AuditEvent, head: &mut Head, integrity: &Integrity) -> Result<(), StoreError> {
    let keyring = integrity.keyring();
    if keyring.is_none() && head.chain >= CHAIN_V3 {
        return Err(StoreError::Unkeyed(e.tenant.clone()));
    }
    let at = integrity.lift_time(e.at, head.at)?;
    if at != e.at {
        e.at = at;
        e.seal.digest = None;
    }
    e.seq = head.seq + 1;
    e.prev_hash.clone_from(&head.hash);
    let digest = match e.seal.digest {
        Some(d) => {
            debug_assert_eq!(d, row_digest(e), "a stale row digest");
            d
        }
        None => row_digest(e),
    };
    e.seal.digest = Some(digest);
    match keyring {
        Some(k) => {
            e.seal.chain = CHAIN_V3;
            e.hash = k.chain_hash(&e.prev_hash, e.seq, &digest);
        }
        None => {
            e.seal.chain = CHAIN_V2;
            e.hash = chain_hash_v2(&e.prev_hash, e.seq, &digest);
        }
    }
    head.seq = e.seq;
    head.hash.clone_from(&e.hash);
    head.at = Some(e.at);
    head.chain = e.seal.chain;
    Ok(())
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

/// Session digests already computed while verifying, by the exact bytes
/// they hash: the actions of one session share one.
#[derive(Debug, Default)]
pub struct SessionDigests(HashMap<Vec<u8>, [u8; 32]>);

impl SessionDigests {
    /// Entries kept at most; beyond, the cache starts over.
    const MAX: usize = 10_000;

    fn get(&mut self, e: &AuditEvent) -> [u8; 32] {
        let part = session_part(e);
        if e.seal.facts.is_none() {
            return part.sha256(); // the request's text: one row's own
        }
        if let Some(d) = self.0.get(&part.0) {
            return *d;
        }
        if self.0.len() >= Self::MAX {
            self.0.clear();
        }
        let d = part.sha256();
        self.0.insert(part.0, d);
        d
    }
}

/// The hash a chained event must carry after `prev_hash`, in its row's
/// format; `None` for a format this build does not know, or a keyed event
/// and no `keyring` to check it with.
pub fn expected_hash(
    prev_hash: &str,
    e: &AuditEvent,
    digests: &mut SessionDigests,
    keyring: Option<&Keyring>,
) -> Option<String> {
    match e.seal.chain {
        CHAIN_V1 => Some(chain_hash(prev_hash, e)),
        CHAIN_V2 => Some(chain_hash_v2(prev_hash, e.seq, &row_digest_after(&digests.get(e), e))),
        CHAIN_V3 => Some(keyring?.chain_hash(prev_hash, e.seq, &row_digest_after(&digests.get(e), e))),
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
