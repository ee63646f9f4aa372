//! `audit verify` over a store: each tenant's chain recomputed
//! ([`crate::audit::verify_chain`]) as of one commit.
//!
//! The chain alone cannot see its tail cut off, nor itself rewritten with
//! every hash recomputed, nor the tables the host acts on edited beside
//! it; so [`Sessions::verify_with`] also checks signed checkpoints against
//! the chain (`checkpoint`) and the sessions and policy versions against
//! what the chain recorded (`crosscheck`), all read as of one commit
//! ([`AuditStore::trail`](crate::store::AuditStore::trail)).

use super::checkpoint::{CheckpointProblem, NamedCheckpoint};
use super::crosscheck::crosscheck;
use super::{SessionError, Sessions};
use crate::audit::{Broken, CheckpointChecked, PublicKey, TenantChain, verify_chain};
use crate::store::StoreError;

/// What [`Sessions::verify_with`] checks besides each chain.
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

impl Sessions {
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
                    .map_or((0, crate::audit::GENESIS_HASH), |e| (e.seq, e.hash.as_str()));
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
