//! `audit verify`: recompute each tenant's hash chain.

use crate::store::{AuditEvent, GENESIS_HASH, chain_hash};
use serde::Serialize;

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
        write!(
            f,
            "audit trail of tenant `{}` is broken at event {}: {}",
            self.tenant, self.seq, self.problem
        )
    }
}

/// The outcome of verifying one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TenantChain {
    pub tenant: String,
    pub events: u64,
    /// The hash of the last event: record it elsewhere to also detect
    /// truncation of the trail's tail.
    pub head: String,
    pub broken: Option<Broken>,
}

/// Checks one tenant's events, given in stored `seq` order: seqs run 1, 2,
/// ... without gaps, each `prev_hash` is the previous `hash`, each `hash`
/// is recomputed from the row.
pub fn verify_chain(tenant: &str, events: &[AuditEvent]) -> TenantChain {
    let mut prev = GENESIS_HASH.to_string();
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
        } else if chain_hash(&prev, e) != e.hash {
            Some(broken(
                e.seq,
                "its hash does not match its fields (the row was edited)".to_string(),
            ))
        } else {
            None
        };
        if let Some(b) = problem {
            return TenantChain {
                tenant: tenant.to_string(),
                events: events.len() as u64,
                head: prev,
                broken: Some(b),
            };
        }
        prev.clone_from(&e.hash);
    }
    TenantChain {
        tenant: tenant.to_string(),
        events: events.len() as u64,
        head: prev,
        broken: None,
    }
}
