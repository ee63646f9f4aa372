//! Recomputing a tenant's hash chain: each row in its own format (see
//! [`super::chain`]), so trails written before the current format verify
//! as they did. A row whose request is stored once per session (format 2)
//! is checked twice over: its hash covers the facts' digest, and the facts
//! read back must match that digest (once per distinct facts).
//!
//! `audit verify` over a store: each tenant's chain recomputed
//! ([`crate::audit::verify_chain`]) as of one commit.
//!
//! The chain alone cannot see its tail cut off, nor itself rewritten with
//! every hash recomputed, nor the tables the host acts on edited beside
//! it; so [`Audit::verify_with`](crate::audit::Audit::verify_with) also checks signed checkpoints against
//! the chain (`checkpoint`) and the sessions and policy versions against
//! what the chain recorded (`crosscheck`), all read as of one commit
//! ([`AuditStore::trail`](crate::store::AuditStore::trail)).

use super::Audit;
use super::PublicKey;
use super::checkpoints::{CheckpointProblem, NamedCheckpoint};
use super::crosscheck::crosscheck;
use super::{AuditEvent, CHAIN_V3, GENESIS_HASH, RequestFacts, SessionDigests, expected_hash, is_action_request_json};
use crate::sessions::SessionError;
use crate::store::Keyring;
use crate::store::{AuditFilter, StoreError};
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
    /// Every problem found ([`Audit::verify_with`](crate::audit::Audit::verify_with)): the chain's first
    /// broken event, checkpoints that do not hold, sessions and policy
    /// versions that disagree with the chain.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Broken>,
    /// The checkpoints checked against this chain.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checkpoints: Vec<CheckpointChecked>,
}

impl TenantChain {
    /// The chain of a tenant with no events: empty, its head the genesis
    /// hash, intact.
    pub fn empty(tenant: &str) -> Self {
        Self {
            tenant: tenant.to_string(),
            events: 0,
            head: GENESIS_HASH.to_string(),
            broken: None,
            problems: Vec::new(),
            checkpoints: Vec::new(),
        }
    }
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

/// What [`Audit::verify_with`](crate::audit::Audit::verify_with) checks besides each chain.
#[derive(Debug, Clone, Copy, Default)]
pub struct VerifyOptions<'a> {
    /// Only this tenant (default: every tenant with events, sessions or
    /// policy versions, and every tenant a checkpoint names).
    pub tenant: Option<&'a str>,
    /// Checked against their tenant's chain (with `tenant`: against it).
    pub checkpoints: &'a [NamedCheckpoint],
    /// When given, every checkpoint must be signed by this key.
    pub trusted_key: Option<&'a PublicKey>,
}

/// The verdict on a tenant's trail that has a row the store cannot read.
fn unreadable(tenant: &str, column: &str, message: &str) -> TenantChain {
    let seq = message
        .strip_prefix("event ")
        .and_then(|m| m.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let broken = Broken {
        tenant: tenant.to_string(),
        seq,
        problem: format!("a row cannot be read (column `{column}`): {message}"),
    };
    TenantChain {
        tenant: tenant.to_string(),
        events: 0,
        head: String::new(),
        broken: Some(broken.clone()),
        problems: vec![broken],
        checkpoints: Vec::new(),
    }
}

fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Audit<'_> {
    /// Audit events matching `filter`, by tenant and `seq`.
    pub fn query(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>, SessionError> {
        Ok(self.store.audit(filter)?)
    }

    /// Recomputes the hash chain of `tenant` (default: every tenant) and
    /// compares its sessions and policy versions with it; with checkpoints:
    /// [`Audit::verify_with`].
    pub fn verify(&self, tenant: Option<&str>) -> Result<Vec<TenantChain>, SessionError> {
        self.verify_with(&VerifyOptions {
            tenant,
            ..VerifyOptions::default()
        })
    }

    /// Verifies each tenant's chain, its sessions and policy versions
    /// against it, and the checkpoints given: see the module documentation.
    pub fn verify_with(&self, options: &VerifyOptions<'_>) -> Result<Vec<TenantChain>, SessionError> {
        let mut tenants = match options.tenant {
            Some(t) => vec![t.to_string()],
            None => {
                let mut all = match self.store.tenants() {
                    Ok(all) => all,
                    Err(StoreError::Corrupt { column, message }) => {
                        return Ok(vec![unreadable("?", column, &message)]);
                    }
                    Err(e) => return Err(e.into()),
                };
                all.extend(options.checkpoints.iter().map(|c| c.checkpoint.tenant.clone()));
                all
            }
        };
        tenants.sort();
        tenants.dedup();
        let mut chains = Vec::with_capacity(tenants.len());
        for tenant in tenants {
            let trail = match self.store.trail(&tenant) {
                Ok(trail) => trail,
                // A row that cannot be read is a broken trail, not a
                // failure of the verifier.
                Err(StoreError::Corrupt { column, message }) => {
                    chains.push(unreadable(&tenant, column, &message));
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
            let mut chain = verify_chain(&tenant, &trail.events, self.keyring());
            chain.problems.extend(chain.broken.clone());
            if let Some((seq, hash)) = &trail.recorded_head {
                let last = trail
                    .events
                    .last()
                    .map_or((0, GENESIS_HASH), |e| (e.seq, e.hash.as_str()));
                if (*seq, hash.as_str()) != last {
                    chain.add(Broken {
                        tenant: tenant.clone(),
                        seq: last.0.max(*seq),
                        problem: format!(
                            "the chain's recorded head is event {seq} ({hash}), but the last event is {} ({}): \
                             events were cut off the tail, or the head was edited",
                            last.0, last.1
                        ),
                    });
                }
            }
            for row in &trail.unauthenticated {
                chain.add(Broken {
                    tenant: tenant.clone(),
                    seq: 0,
                    problem: format!("{row} is not authenticated by the host key (written or edited outside Standin)"),
                });
            }
            for checkpoint in options.checkpoints {
                let c = &checkpoint.checkpoint;
                if options.tenant.is_none() && c.tenant != tenant {
                    continue;
                }
                let problem = c.check(&tenant, &trail.events, options.trusted_key);
                chain.checkpoints.push(CheckpointChecked {
                    name: checkpoint.name.clone(),
                    seq: c.seq,
                    holds: problem.is_none(),
                });
                if let Some(p) = problem {
                    let other = matches!(p, CheckpointProblem::OtherTenant(_));
                    chain.add(Broken {
                        tenant: tenant.clone(),
                        seq: if other { 0 } else { c.seq },
                        problem: format!("checkpoint `{}` signed at {}: {p}", checkpoint.name, when(c.at)),
                    });
                }
            }
            for problem in crosscheck(&tenant, &trail) {
                chain.add(problem);
            }
            chains.push(chain);
        }
        Ok(chains)
    }
}
