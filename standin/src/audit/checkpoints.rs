//! Signed audit checkpoints: the head of a tenant's chain, signed with a
//! key kept outside the database.
//!
//! The hash chain finds a row edited, deleted, inserted or moved, but not
//! the last rows cut off (what is left is a shorter chain that holds), nor
//! a chain rewritten by someone who recomputes every hash (the functions
//! are public, and the database holds no secret). A checkpoint closes both:
//! `standin audit checkpoint` signs "tenant T's chain had event N with hash
//! H at time A" with an Ed25519 key ([`SigningKey`]); kept elsewhere, it
//! is checked later by `audit verify --checkpoint`, which requires the
//! signature to hold and the chain to still hold event N with hash H. A
//! cut tail no longer reaches N; a rewritten chain has another hash at N;
//! and neither can be hidden by editing the checkpoint, which breaks its
//! signature (and `--public-key` pins the key, so a checkpoint signed
//! afresh with another key is refused too).
//!
//! The signed bytes, [`signed_bytes`]: the domain tag, the 27 ASCII bytes
//! `standin/audit-checkpoint/v1` and a zero byte ([`DOMAIN`]); the tenant
//! as a u32 big-endian length and its UTF-8 bytes, `seq` as a u64
//! big-endian, the head hash (its text, 64 hex digits for the current
//! chain formats) as a u32 big-endian length and its bytes, and `at` as
//! an i64 big-endian count of seconds since the Unix epoch. The tag keeps
//! a checkpoint signature from being mistaken for a signature of anything
//! else made with the same key; the lengths keep the fields apart.

use super::Audit;
use super::{Broken, verify_chain};
use crate::audit::signing::{decode_exact, encode, read_capped};
use crate::audit::{AuditEvent, GENESIS_HASH};
use crate::audit::{KeyError, PublicKey, SigningKey};
use crate::store::{AuditFilter, StoreError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The domain tag that starts every signed checkpoint.
pub const DOMAIN: &[u8] = b"standin/audit-checkpoint/v1\0";

/// A signed statement of a tenant's chain head (docs/contract.md "Signed audit
/// checkpoints").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    pub tenant: String,
    /// The last event's `seq`.
    pub seq: u64,
    /// The last event's hash.
    pub head: String,
    /// When it was signed, whole seconds.
    pub at: DateTime<Utc>,
    pub key_id: String,
    /// The signer's Ed25519 public key, unpadded base64url.
    pub public_key: String,
    /// Ed25519 over [`signed_bytes`], unpadded base64url.
    pub signature: String,
}

/// The bytes a checkpoint's signature covers (see the module documentation).
pub fn signed_bytes(tenant: &str, seq: u64, head: &str, at: DateTime<Utc>) -> Vec<u8> {
    fn text(out: &mut Vec<u8>, s: &str) {
        out.extend_from_slice(&u32::try_from(s.len()).unwrap_or(u32::MAX).to_be_bytes());
        out.extend_from_slice(s.as_bytes());
    }
    let mut out = Vec::with_capacity(DOMAIN.len() + tenant.len() + head.len() + 24);
    out.extend_from_slice(DOMAIN);
    text(&mut out, tenant);
    out.extend_from_slice(&seq.to_be_bytes());
    text(&mut out, head);
    out.extend_from_slice(&at.timestamp().to_be_bytes());
    out
}

/// Why a checkpoint could not be made or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointError {
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error("`{path}` is not a checkpoint: {message}")]
    Malformed { path: String, message: String },
    #[error("tenant `{0}` has no audit events to checkpoint")]
    Empty(String),
    /// The chain does not verify: nothing is signed.
    #[error("{0}; no checkpoint signed")]
    Broken(Broken),
    /// The chain no longer holds what an earlier checkpoint vouched for
    /// (see [`Audit::checkpoint_after`](crate::audit::Audit::checkpoint_after)): nothing is signed.
    #[error("the chain no longer holds the checkpoint of event {seq}: {problem}; no checkpoint signed")]
    Contradicts { seq: u64, problem: CheckpointProblem },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What is wrong with a checkpoint, checked against a chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointProblem {
    #[error("its signature does not hold (the checkpoint was edited or forged)")]
    BadSignature,
    #[error("it is signed by key `{key_id}`, not by the trusted key `{trusted}`")]
    UntrustedKey { key_id: String, trusted: String },
    #[error("it is for tenant `{0}`")]
    OtherTenant(String),
    #[error("it vouches for event {seq}, but the chain ends at event {last} (the tail was cut off)")]
    CutTail { seq: u64, last: u64 },
    #[error("it vouches for event {seq}, which the chain no longer has")]
    Missing { seq: u64 },
    #[error("event {seq} has hash `{found}`, not `{signed}` as signed (the chain was rewritten)")]
    Rewritten { seq: u64, found: String, signed: String },
}

impl Checkpoint {
    /// Signs `tenant`'s head: event `seq` with hash `head`, at `at`
    /// (truncated to whole seconds).
    pub fn sign(key: &SigningKey, tenant: &str, seq: u64, head: &str, at: DateTime<Utc>) -> Self {
        let at = crate::sessions::changes::secs(at);
        let public = key.public();
        let signature = key.sign(&signed_bytes(tenant, seq, head, at));
        Self {
            tenant: tenant.to_string(),
            seq,
            head: head.to_string(),
            at,
            key_id: public.key_id,
            public_key: public.public_key,
            signature: encode(&signature),
        }
    }

    /// Reads a checkpoint file (the JSON `audit checkpoint` prints).
    pub fn read(path: &Path) -> Result<Self, CheckpointError> {
        let bytes = read_capped(path)?;
        let malformed = |message: String| CheckpointError::Malformed {
            path: path.display().to_string(),
            message,
        };
        let c: Self = serde_json::from_slice(&bytes).map_err(|e| malformed(e.to_string()))?;
        if c.at.timestamp_subsec_nanos() != 0 {
            return Err(malformed("`at` is not a whole second".to_string()));
        }
        Ok(c)
    }

    /// Whether the signature holds for the checkpoint's fields, its key id
    /// is its public key's, and (when given) that key is `trusted`.
    pub fn signature_problem(&self, trusted: Option<&PublicKey>) -> Option<CheckpointProblem> {
        let Ok(public) = PublicKey::parse(&self.public_key) else {
            return Some(CheckpointProblem::BadSignature);
        };
        if let Some(t) = trusted
            && t.public_key != public.public_key
        {
            return Some(CheckpointProblem::UntrustedKey {
                key_id: self.key_id.clone(),
                trusted: t.key_id.clone(),
            });
        }
        let Ok(bytes) = decode_exact::<64>(&self.signature) else {
            return Some(CheckpointProblem::BadSignature);
        };
        let signature = ed25519_dalek::Signature::from_bytes(&bytes);
        let message = signed_bytes(&self.tenant, self.seq, &self.head, self.at);
        let holds = self.at.timestamp_subsec_nanos() == 0
            && public.key_id == self.key_id
            && public.key.verify_strict(&message, &signature).is_ok();
        (!holds).then_some(CheckpointProblem::BadSignature)
    }

    /// Checks the checkpoint against `tenant`'s chain (`events`, by `seq`):
    /// the signature, the tenant, and that the chain still holds event
    /// `seq` with hash `head`. `None` when all hold.
    pub fn check(&self, tenant: &str, events: &[AuditEvent], trusted: Option<&PublicKey>) -> Option<CheckpointProblem> {
        if let Some(p) = self.signature_problem(trusted) {
            return Some(p);
        }
        if self.tenant != tenant {
            return Some(CheckpointProblem::OtherTenant(self.tenant.clone()));
        }
        let found = if self.seq == 0 {
            GENESIS_HASH
        } else {
            let last = events.last().map_or(0, |e| e.seq);
            match events.iter().find(|e| e.seq == self.seq) {
                Some(e) => e.hash.as_str(),
                None if self.seq > last => return Some(CheckpointProblem::CutTail { seq: self.seq, last }),
                None => return Some(CheckpointProblem::Missing { seq: self.seq }),
            }
        };
        (found != self.head).then(|| CheckpointProblem::Rewritten {
            seq: self.seq,
            found: found.to_string(),
            signed: self.head.clone(),
        })
    }
}

/// A checkpoint and the name `audit verify` reports it by (its file).
#[derive(Debug, Clone)]
pub struct NamedCheckpoint {
    pub name: String,
    pub checkpoint: Checkpoint,
}

impl NamedCheckpoint {
    /// Reads the checkpoint file at `path`, named by it.
    pub fn read(path: &Path) -> Result<Self, CheckpointError> {
        Ok(Self {
            name: path.display().to_string(),
            checkpoint: Checkpoint::read(path)?,
        })
    }
}

impl Audit<'_> {
    /// Signs `tenant`'s chain head with `key`, at `now`, once the chain
    /// verifies (a broken chain is not vouched for).
    pub fn checkpoint(
        &self,
        tenant: &str,
        key: &SigningKey,
        now: DateTime<Utc>,
    ) -> Result<Checkpoint, CheckpointError> {
        self.checkpoint_after(tenant, key, now, None)
    }

    /// [`Audit::checkpoint`](crate::audit::Audit::checkpoint), once the chain also still holds
    /// `previous` (an earlier checkpoint of `tenant`, signed by any key):
    /// a chain cut below it or rewritten at it is refused
    /// ([`CheckpointError::Contradicts`]) rather than vouched for afresh.
    pub fn checkpoint_after(
        &self,
        tenant: &str,
        key: &SigningKey,
        now: DateTime<Utc>,
        previous: Option<&Checkpoint>,
    ) -> Result<Checkpoint, CheckpointError> {
        let events = self.store.audit(&AuditFilter {
            tenant: Some(tenant.to_string()),
            ..AuditFilter::default()
        })?;
        let chain = verify_chain(tenant, &events, self.keyring());
        if let Some(b) = chain.broken {
            return Err(CheckpointError::Broken(b));
        }
        if let Some(p) = previous
            && let Some(problem) = p.check(tenant, &events, None)
        {
            return Err(CheckpointError::Contradicts { seq: p.seq, problem });
        }
        let Some(last) = events.last() else {
            return Err(CheckpointError::Empty(tenant.to_string()));
        };
        Ok(Checkpoint::sign(key, tenant, last.seq, &chain.head, now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_bytes_are_as_documented() {
        let at = DateTime::from_timestamp(0x0102_0304, 0).expect("time");
        let mut expected = b"standin/audit-checkpoint/v1\0".to_vec();
        expected.extend([0, 0, 0, 4]);
        expected.extend(b"acme");
        expected.extend([0, 0, 0, 0, 0, 0, 0, 7]);
        expected.extend([0, 0, 0, 2]);
        expected.extend(b"ab");
        expected.extend([0, 0, 0, 0, 1, 2, 3, 4]);
        assert_eq!(signed_bytes("acme", 7, "ab", at), expected);
    }

    #[test]
    fn keys_are_rfc_8032_ed25519_and_checkpoints_hold_only_as_signed() {
        // RFC 8032, section 7.1, test 1.
        let mut seed = [0u8; 32];
        for (i, b) in seed.iter_mut().enumerate() {
            let hex = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
            *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex");
        }
        let key = SigningKey::from_seed(&seed);
        let public = decode_exact::<32>(&key.public().public_key).expect("public key");
        assert_eq!(
            crate::audit::hex(&public),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
        let at = DateTime::from_timestamp(1_800_000_000, 0).expect("time");
        let c = Checkpoint::sign(&key, "acme", 0, GENESIS_HASH, at);
        assert_eq!(c.check("acme", &[], None), None);
        assert_eq!(
            c.check("globex", &[], None),
            Some(CheckpointProblem::OtherTenant("acme".into()))
        );
        let later = Checkpoint { seq: 1, ..c.clone() };
        assert_eq!(later.check("acme", &[], None), Some(CheckpointProblem::BadSignature));
        let other = SigningKey::from_seed(&[7; 32]).public();
        assert!(matches!(
            c.check("acme", &[], Some(&other)),
            Some(CheckpointProblem::UntrustedKey { .. })
        ));
    }
}
