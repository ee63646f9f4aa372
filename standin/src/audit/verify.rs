//! Recomputing a tenant's hash chain: each row in its own format (see
//! [`super::chain`]), so trails written before the current format verify
//! as they did. A row whose request is stored once per session (format 2)
//! is checked twice over: its hash covers the facts' digest, and the facts
//! read back must match that digest (once per distinct facts).

use super::{AuditEvent, CHAIN_V3, GENESIS_HASH, RequestFacts, SessionDigests, expected_hash, is_action_request_json};
use crate::integrity::Keyring;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// The first event where a tenant's chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Broken {
    pub tenant: String,
    /// The `seq` the broken row carries (or, for a gap, the one expected).
    pub seq: u64,
    /// What is wrong, in words.
    pub problem: String,
}

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "audit trail of tenant `{}` is broken", self.tenant)?;
        if self.seq > 0 {
            write!(f, " at event {}", self.seq)?;
        }
        write!(f, ": {}", self.problem)
    }
}

/// The outcome of verifying one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TenantChain {
    pub tenant: String,
    pub events: u64,
    /// The hash of the last event: sign it (`audit checkpoint`) to also
    /// detect the tail cut off or the chain rewritten.
    pub head: String,
    /// The first problem: the chain's first broken event, else the first of
    /// [`TenantChain::problems`]. `None`: intact.
    pub broken: Option<Broken>,
    /// Every problem found ([`Sessions::verify_with`](crate::Sessions::verify_with)): the chain's first
    /// broken event, checkpoints that do not hold, sessions and policy
    /// versions that disagree with the chain.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Broken>,
    /// The checkpoints checked against this chain.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checkpoints: Vec<CheckpointChecked>,
}

/// One checkpoint as `audit verify` found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckpointChecked {
    /// Its name (the file it was read from).
    pub name: String,
    pub seq: u64,
    /// Whether its signature, tenant, seq and hash all hold.
    pub holds: bool,
}

impl TenantChain {
    pub(crate) fn add(&mut self, problem: Broken) {
        if self.broken.is_none() {
            self.broken = Some(problem.clone());
        }
        self.problems.push(problem);
    }
}

/// Checks one tenant's events, given in stored `seq` order: seqs run 1, 2,
/// ... without gaps, each `prev_hash` is the previous `hash`, each `hash`
/// is recomputed from the row. A keyed event ([`CHAIN_V3`]) needs
/// `keyring` to be checked (without it the chain is reported broken there,
/// never passed), and after the first keyed event every event must be
/// keyed: an unkeyed one there was written by someone without the key.
pub fn verify_chain(tenant: &str, events: &[AuditEvent], keyring: Option<&Keyring>) -> TenantChain {
    let mut prev = GENESIS_HASH.to_string();
    let mut keyed = false;
    let mut intact = Intact::new();
    let mut digests = SessionDigests::default();
    let broken = |seq: u64, problem: String| Broken {
        tenant: tenant.to_string(),
        seq,
        problem,
    };
    for (i, e) in events.iter().enumerate() {
        let expected = i as u64 + 1;
        let problem = if e.tenant != tenant {
            Some(broken(e.seq, format!("the row belongs to tenant `{}`", e.tenant)))
        } else if e.seq != expected {
            Some(broken(
                expected,
                format!(
                    "expected event {expected}, found event {} (a row was deleted, inserted or moved)",
                    e.seq
                ),
            ))
        } else if e.prev_hash != prev {
            Some(broken(
                e.seq,
                "its prev_hash is not the previous event's hash (a row before it was deleted, inserted or moved)"
                    .to_string(),
            ))
        } else if let Some(problem) = facts_problem(e, &mut intact) {
            Some(broken(e.seq, problem))
        } else if keyed && e.seal.chain < CHAIN_V3 {
            Some(broken(
                e.seq,
                format!(
                    "it is chained without the host key (format {}) after keyed events: appended by someone \
                     without the key",
                    e.seal.chain
                ),
            ))
        } else if e.seal.chain == CHAIN_V3 && keyring.is_none() {
            Some(broken(
                e.seq,
                "it is chained with the host key, and this check has none (give it `--host-key`)".to_string(),
            ))
        } else {
            keyed |= e.seal.chain == CHAIN_V3;
            match expected_hash(&prev, e, &mut digests, keyring) {
                None => Some(broken(
                    e.seq,
                    format!("its chain format {} is unknown (the row was edited)", e.seal.chain),
                )),
                Some(h) if h != e.hash => Some(broken(
                    e.seq,
                    "its hash does not match its fields (the row was edited)".to_string(),
                )),
                Some(_) => None,
            }
        };
        if let Some(b) = problem {
            return TenantChain {
                tenant: tenant.to_string(),
                events: events.len() as u64,
                head: prev,
                broken: Some(b),
                problems: Vec::new(),
                checkpoints: Vec::new(),
            };
        }
        prev.clone_from(&e.hash);
    }
    TenantChain {
        tenant: tenant.to_string(),
        events: events.len() as u64,
        head: prev,
        broken: None,
        problems: Vec::new(),
        checkpoints: Vec::new(),
    }
}

/// Request facts already found to match their digest, by digest.
type Intact = HashMap<String, Arc<RequestFacts>>;

/// What is wrong with the request facts a row refers to, if anything: they
/// must match their digest (which the row's hash covers), and the request
/// the row carries must be the one they make.
fn facts_problem(e: &AuditEvent, intact: &mut Intact) -> Option<String> {
    let f = e.seal.facts.as_ref()?;
    let known = intact
        .get(&f.digest)
        .is_some_and(|k| Arc::ptr_eq(k, f) || k.body == f.body);
    if !known {
        if !f.is_intact() {
            return Some(format!(
                "the request facts it refers to (sha256 {}) were edited or deleted",
                f.digest
            ));
        }
        intact.insert(f.digest.clone(), f.clone());
    }
    match &e.request {
        Some(r) if !is_action_request_json(r, &e.tenant, &f.body, e.action.as_deref(), e.resource.as_deref(), e.at) => {
            Some("its request is not the one its facts make (the row was edited)".to_string())
        }
        _ => None,
    }
}
