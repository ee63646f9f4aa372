//! The policy registry: what a tenant's administrator does with policy
//! versions (upload, list, activate, roll back, replay), apart from what
//! serving does with them (`resolve`: which version answers a
//! call, and the cache of loaded ones).
//!
//! Every operation answers one error type, [`PolicyError`], so a caller
//! (the CLI, the HTTP server, a platform's own console) handles a refused
//! upload, an unknown version and a version that no longer loads in one
//! `match`, and none of them is a [`SessionError`](super::SessionError):
//! managing policies never touches a session.
//!
//! Versions are immutable once stored; the registry only adds versions and
//! moves the tenant's active pointer, each in one store transaction with its
//! audit event, and loads a version before it is made active so a broken
//! one never starts serving.

mod replay;
mod resolve;
mod stored;
mod upload;

pub use replay::{ChangeKind, Replay, ReplayChange, ReplayOutcome};
pub use stored::{ArtifactKey, NewPolicy, StoredPolicy, settings_note};
pub use upload::{SuiteResult, Upload, UploadStep, Uploaded};

use crate::Standin;
use crate::request::RequestError;
use crate::sessions::PolicyUnavailable;
use crate::sessions::changes::secs;
use crate::store::StoreError;
use chrono::{DateTime, Utc};
use standin_engine::{LoadError, Policy};

/// Why a registry operation did nothing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// An upload's check refused the version (nothing was stored).
    #[error("upload refused at step `{step}`: {message}")]
    Refused {
        step: UploadStep,
        message: String,
        /// The load error behind it (steps before `suites`).
        load: Option<LoadError>,
    },
    #[error("`tenant` must not be empty")]
    EmptyTenant,
    #[error("invalid tenant id: {0}")]
    InvalidTenant(RequestError),
    /// A stored version does not load (activation, replay): the active
    /// version stays.
    #[error("version {version} of tenant `{tenant}` cannot be loaded: {source}")]
    Unloadable {
        tenant: String,
        version: u32,
        source: PolicyUnavailable,
    },
    /// The store failed, or has no such version
    /// ([`StoreError::UnknownVersion`]) or nothing to roll back to
    /// ([`StoreError::NothingToRollBack`]).
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl PolicyError {
    /// The upload step that refused, if a check did.
    pub fn step(&self) -> Option<UploadStep> {
        match self {
            Self::Refused { step, .. } => Some(*step),
            _ => None,
        }
    }
}

/// What [`Registry::preload`] did.
#[derive(Debug, Default)]
pub struct Preloaded {
    /// Tenants whose active version is loaded and ready.
    pub loaded: usize,
    /// Tenants whose active version could not be loaded, and why (their
    /// calls deny with `policy-unavailable`).
    pub failed: Vec<(String, PolicyUnavailable)>,
}

/// Tenants' policy versions (see [`Standin::policies`]).
#[derive(Debug, Clone, Copy)]
pub struct Registry<'a> {
    sessions: &'a Standin,
}

impl std::ops::Deref for Registry<'_> {
    type Target = Standin;

    fn deref(&self) -> &Standin {
        self.sessions
    }
}

impl Standin {
    /// The policy registry: upload, versions, activation, rollback, replay.
    pub fn policies(&self) -> Registry<'_> {
        Registry { sessions: self }
    }
}

impl Registry<'_> {
    /// Stores a new version of a tenant's policy and activates it:
    /// `component` (default: the built-in one) with `settings`. Loaded
    /// first: a component or settings that do not load are refused, and
    /// nothing is stored. Standin already running keep their version.
    /// [`Registry::upload`] does the same with test suites and a note.
    pub fn set(
        &self,
        tenant: &str,
        component: Option<&[u8]>,
        settings: &str,
        now: DateTime<Utc>,
    ) -> Result<StoredPolicy, PolicyError> {
        let upload = Upload {
            tenant,
            component,
            settings,
            activate: true,
            ..Upload::default()
        };
        Ok(self.upload(&upload, now)?.stored)
    }

    /// The tenant's active policy (`None`: version 0, the built-in policy
    /// with its defaults, when it never stored one).
    pub fn active(&self, tenant: &str) -> Result<Option<StoredPolicy>, PolicyError> {
        Ok(self.sessions.store.active_policy(tenant)?)
    }

    /// The JSON Schema of the settings the tenant's active policy takes,
    /// for the console's form: what a custom component publishes
    /// (`settings-schema`), [`SettingsSchema::BuiltIn`] for the built-in
    /// policy (whose schema the embedder has natively), or
    /// [`SettingsSchema::None`] for a component that publishes none.
    pub fn settings_schema(&self, tenant: &str) -> Result<SettingsSchema, PolicyError> {
        let stored = self.active(tenant)?.unwrap_or_else(|| resolve::builtin(tenant));
        if stored.digest == crate::sessions::changes::builtin_digest() {
            return Ok(SettingsSchema::BuiltIn);
        }
        let (_, policy) = self.load(stored)?;
        Ok(policy
            .settings_schema()
            .map_or(SettingsSchema::None, SettingsSchema::Published))
    }

    /// Every version of the tenant's policy, oldest first.
    pub fn versions(&self, tenant: &str) -> Result<Vec<StoredPolicy>, PolicyError> {
        Ok(self.sessions.store.policies(tenant)?)
    }

    /// One stored version of the tenant's policy.
    pub fn version(&self, tenant: &str, version: u32) -> Result<StoredPolicy, PolicyError> {
        let stored = self.sessions.store.policy(tenant, version)?;
        stored.ok_or_else(|| {
            StoreError::UnknownVersion {
                tenant: tenant.to_string(),
                version,
            }
            .into()
        })
    }

    /// Makes `version` the tenant's active policy. It is loaded first, so
    /// the first call after activation finds it ready; a version that does
    /// not load is refused and the active version stays.
    pub fn activate(
        &self,
        tenant: &str,
        version: u32,
        by: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<StoredPolicy, PolicyError> {
        self.load(self.version(tenant, version)?)?;
        Ok(self.sessions.store.activate(tenant, version, by, secs(now))?)
    }

    /// Undoes the tenant's last activation: the version active before it
    /// serves again (twice goes two activations back).
    pub fn rollback(&self, tenant: &str, by: Option<&str>, now: DateTime<Utc>) -> Result<StoredPolicy, PolicyError> {
        let stored = self.sessions.store.rollback(tenant, by, secs(now))?;
        // Best effort: a version that fails to load here denies with
        // `policy-unavailable` at its first call, as it would anyway.
        let _ = self.sessions.load_version(&stored);
        Ok(stored)
    }

    /// Loads the active version of every tenant that has one (a cold
    /// start), from compiled artifacts where the store has them.
    pub fn preload(&self) -> Result<Preloaded, PolicyError> {
        let mut report = Preloaded::default();
        for stored in self.sessions.store.active_policies()? {
            match self.sessions.load_version(&stored) {
                Ok(_) => report.loaded += 1,
                Err(e) => report.failed.push((stored.tenant, e)),
            }
        }
        Ok(report)
    }

    /// Versions loaded in this process's cache.
    pub fn loaded(&self) -> usize {
        let loaded = self.sessions.loaded.read();
        loaded.unwrap_or_else(std::sync::PoisonError::into_inner).len()
    }

    /// A version, loaded (and cached), or why it cannot be.
    fn load(&self, stored: StoredPolicy) -> Result<(StoredPolicy, Policy), PolicyError> {
        match self.sessions.load_version(&stored) {
            Ok(policy) => Ok((stored, policy)),
            Err(source) => Err(PolicyError::Unloadable {
                tenant: stored.tenant,
                version: stored.version,
                source,
            }),
        }
    }
}

/// What [`Registry::settings_schema`] found.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SettingsSchema {
    /// The built-in policy's (`standin_default_policy::schema`).
    BuiltIn,
    /// What the tenant's component publishes.
    Published(serde_json::Value),
    /// The tenant's component publishes none.
    None,
}
