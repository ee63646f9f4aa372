//! Tenants' policy versions, as stored.
//!
//! A component is stored once per sha256, whoever uploads it; a tenant has
//! a history of versions (component digest + settings, who uploaded it,
//! when, a note) numbered from 1, and at most one active version. Which
//! version is active is a stack of activations: activating pushes,
//! [`crate::store::PolicyStore::rollback`] pops, so rolling back twice goes two
//! activations back, never forward again.
//!
//! Compiled artifacts are cached here too, keyed by the component's digest
//! and the engine's configuration; only the host writes them (no API takes
//! artifact bytes from outside), and each carries the sha256 it was written
//! with, checked before the host deserializes it.
//!
//! Each stored version also has its `policy.uploaded` audit event
//! ([`StoredPolicy::uploaded_event`]), appended in the transaction that
//! stores it: the chain then vouches for what the version was (component
//! digest, settings digest, who, when, why), and `audit verify` finds a
//! version edited in place in the `policies` table.

use crate::audit::{AuditEvent, Seal, events};
use crate::decision::PolicyRef;
use chrono::{DateTime, Utc};
use serde::Serialize;
use standin_engine::Digest;
use standin_engine::PolicyInfo;

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

    /// The version's `policy.uploaded` event, without chain fields: at
    /// `created_at`, `actor` who uploaded it (empty when nobody was
    /// named), no target, `reason` the upload's note, `policy` its version
    /// and component digest, `note` its [`settings_note`].
    pub fn uploaded_event(&self) -> AuditEvent {
        AuditEvent {
            seq: 0,
            tenant: self.tenant.clone(),
            at: self.created_at,
            event: events::POLICY_UPLOADED.to_string(),
            session: None,
            actor: self.uploaded_by.clone().unwrap_or_default(),
            target: String::new(),
            action: None,
            resource: None,
            reason: self.note.clone(),
            codes: Vec::new(),
            end_reason: None,
            policy: self.reference(),
            expires_at: None,
            obligations: None,
            note: Some(settings_note(&self.settings)),
            request: None,
            prev_hash: String::new(),
            hash: String::new(),
            seal: Seal::default(),
        }
    }
}

/// The `note` of a `policy.uploaded` event: `settings sha256:` and the hex
/// sha256 of the settings text, byte for byte as stored.
pub fn settings_note(settings: &str) -> String {
    format!("settings {}", Digest::of(settings.as_bytes()))
}

/// A key of the compiled-artifact cache.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ArtifactKey {
    /// The component's digest.
    pub digest: String,
    /// The engine's build and configuration (artifacts of another are useless).
    pub engine: String,
}
