//! Tenants' policy versions, as stored.
//!
//! A component is stored once per sha256, whoever uploads it; a tenant has
//! a history of versions (component digest + settings, who uploaded it,
//! when, a note) numbered from 1, and at most one active version. Which
//! version is active is a stack of activations: activating pushes,
//! [`crate::store::Store::rollback`] pops, so rolling back twice goes two
//! activations back, never forward again.
//!
//! Compiled artifacts are cached here too, keyed by the component's digest
//! and the engine's configuration; only the host writes them (no API takes
//! artifact bytes from outside), and each carries the sha256 it was written
//! with, checked before the host deserializes it.

use crate::policy::PolicyInfo;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Which policy decided: a tenant's policy version and the component's digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRef {
    /// 0 is the built-in policy with its defaults (a tenant that never stored a policy).
    pub version: u32,
    pub digest: String,
}

/// A new version of a tenant's policy.
#[derive(Debug, Clone)]
pub struct NewPolicy<'a> {
    pub tenant: &'a str,
    pub component: &'a [u8],
    /// `sha256:` + hex of `component`.
    pub digest: &'a str,
    pub settings: &'a str,
    /// What the policy said of itself when it was checked.
    pub info: Option<&'a PolicyInfo>,
    pub uploaded_by: Option<&'a str>,
    pub note: Option<&'a str>,
    pub at: DateTime<Utc>,
    /// Make it the active version in the same transaction.
    pub activate: bool,
}

/// One version of a tenant's policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredPolicy {
    pub tenant: String,
    pub version: u32,
    pub digest: String,
    /// The settings, JSON text.
    pub settings: String,
    /// When it was uploaded.
    pub created_at: DateTime<Utc>,
    pub uploaded_by: Option<String>,
    pub note: Option<String>,
    pub active: bool,
    /// When it last became the active version.
    pub activated_at: Option<DateTime<Utc>>,
    /// What the policy said of itself (`describe`) when it was uploaded.
    pub policy: Option<PolicyInfo>,
}

impl StoredPolicy {
    pub fn reference(&self) -> PolicyRef {
        PolicyRef {
            version: self.version,
            digest: self.digest.clone(),
        }
    }
}

/// A key of the compiled-artifact cache.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ArtifactKey {
    /// The component's digest.
    pub digest: String,
    /// The engine's build and configuration (artifacts of another are useless).
    pub engine: String,
}
