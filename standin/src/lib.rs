//! Standin: impersonation policies as WebAssembly components.
//!
//! A platform embeds a [`Host`], loads each tenant's policy with
//! [`Host::load`] (or [`Host::load_default`] for the built-in one), and asks
//! it questions: [`Policy::evaluate_start`] (may this actor impersonate this
//! target?) and [`Policy::evaluate_action`] (may the actor do this during
//! the session?). Every answer is a [`Decision`]: allow or deny, every
//! reason, and diagnostics.
//!
//! Two layers: the engine (`standin-engine`; what a platform uses of it is
//! re-exported here) loads, sandboxes and asks policies; this crate adds
//! what a platform runs on top: [`Standin`] (who impersonates whom until when), the hash-chained
//! audit trail ([`audit`]), the outbox, and the [`Store`] they are kept in
//! (SQLite by default; PostgreSQL in `standin-store-postgres`).
//!
//! Policies are untrusted. Each runs in its own store with no imports, a
//! memory cap, a deadline and capped input and output; whatever goes wrong
//! inside one (a trap, a loop, a memory bomb, nonsense output) is a deny
//! with a `policy-*` code, and the host goes on serving.
//!
//! ```no_run
//! use standin::{Host, StartRequest};
//! let host = Host::new()?;
//! let policy = host.load_default(r#"{"require_reason": true}"#)?;
//! let request: StartRequest = serde_json::from_str(r#"{"tenant": "acme",
//!     "actor": {"id": "u-1", "roles": ["super_admin"]},
//!     "target": {"id": "u-2", "active": true, "has_logged_in": true}}"#)?;
//! let decision = policy.evaluate_start(&request, chrono::Utc::now());
//! assert!(!decision.is_allow()); // no reason given
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod access;
pub mod audit;
pub mod authzen;
pub mod deadline;
pub mod harness;
pub mod model;
pub mod outbox;
pub mod policies;
pub mod sessions;
pub mod store;
mod tenant;
pub mod trace;
pub mod webhooks;
pub mod worker;

pub use sessions::{ActionCall, ApprovalOutcome, Authorization, Banner, SessionError, StartOutcome, SweeperRole};
pub use tenant::{Tenant, TenantAudit, TenantOutbox, TenantPolicies, TenantSessions};
// The engine layer, at the paths it had before it was its own crate.
pub use model::SessionRecord;
pub use standin_engine::{
    ActionRequest, ApprovalRequest, Approvers, ArtifactDir, DEFAULT_POLICY, Decision, Digest, HARD_MAX_TTL_SECONDS,
    Host, HostConfig, HostError, HostKey, HostKeyError, LoadError, MAX_ACTIONS_PER_CALL, MAX_APPROVAL_TTL_SECONDS,
    POLICY_FUNCTIONS, POLICY_INTERFACE, POLICY_INTERFACE_0_2, POLICY_INTERFACE_0_3, POLICY_INTERFACE_0_4,
    POLICY_INTERFACE_0_5, POLICY_INTERFACE_0_6, PackedSession, Policy, PolicyInfo, Principal, Reason, RequestError,
    RequestLimits, SandboxLimits, Scope, SessionFacts, SessionRef, SharedStats, StartRequest, Verdict,
    default_host_key_path,
};
pub use standin_engine::{decision, invariants, request};
pub use store::Store;

use decision::PolicyRef;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use store::StoreError;

/// Standin for every tenant: decisions by a [`Host`], records in a
/// [`Store`], the caches between them. Safe to share between threads.
///
/// It hands out one handle per subject, each borrowing it:
/// [`sessions`](Self::sessions) (start, end, authorize, ...),
/// [`policies`](Self::policies) (versions, upload, replay, stateless
/// checks), [`audit`](Self::audit) (query, verify, checkpoints),
/// [`access`](Self::access) (API keys, tokens, origins),
/// [`outbox`](Self::outbox) (messages for the target) and
/// [`webhooks`](Self::webhooks) (endpoints and their deliveries); and
/// [`tenant`](Self::tenant), the same with one tenant fixed.
#[derive(Debug)]
pub struct Standin {
    pub(crate) host: Host,
    pub(crate) store: Arc<dyn Store>,
    /// Loaded policies by tenant and version (a version never changes).
    pub(crate) loaded: RwLock<HashMap<(String, u32), (Policy, PolicyRef)>>,
    /// Active sessions as this process last wrote or read them (see `authorize`).
    pub(crate) active: Arc<sessions::ActiveCache>,
    /// Whether a tenant without a stored policy gets the built-in one
    /// (version 0) instead of `policy-unavailable` (T1).
    pub(crate) builtin_fallback: bool,
    /// Authenticates compiled artifacts in the store (see `policies`); without
    /// one, artifacts are neither trusted nor written.
    pub(crate) host_key: Option<HostKey>,
    /// Wakes the sweeper when a start or an extension sets a deadline.
    pub(crate) wake: Arc<sessions::Wake>,
    /// What the checkpointer (if one was started) did so far.
    pub(crate) checkpoints: audit::checkpointer::Counts,
    /// Signs sessions' tokens (see `tokens`); none without a key.
    pub(crate) tokens: Option<Arc<access::TokenKeys>>,
    /// What the store authenticates with and dates by (see
    /// [`crate::store::Integrity`]); keyed once there is a host key.
    pub(crate) integrity: store::Integrity,
    /// The deepest nesting of sessions the host allows, whatever a policy
    /// says (0: none).
    pub(crate) max_depth: u32,
    /// Each tenant's activity counts, as far as this process has read its
    /// trail (see [`audit::activity`]).
    pub(crate) activity: audit::activity::Rollups,
}

/// How deep sessions may nest by default: a session started from a
/// session started from another (depth 2), no deeper.
pub const DEFAULT_MAX_DEPTH: u32 = 2;

impl Standin {
    pub fn new(host: Host, store: Arc<dyn Store>) -> Self {
        Self {
            host,
            store,
            loaded: RwLock::new(HashMap::new()),
            active: Arc::default(),
            builtin_fallback: false,
            host_key: None,
            wake: Arc::default(),
            checkpoints: audit::checkpointer::Counts::default(),
            tokens: None,
            integrity: store::Integrity::default(),
            max_depth: DEFAULT_MAX_DEPTH,
            activity: audit::activity::Rollups::default(),
        }
    }

    /// Lets the caller date changes freely (the CLI's `--now`, tests):
    /// otherwise a change dated more than
    /// [`Integrity::max_ahead`](crate::store::Integrity::max_ahead)
    /// past the real clock is refused, so one far-future event cannot
    /// drag a tenant's trail with it.
    pub fn with_test_clock(mut self, on: bool) -> Self {
        self.integrity = self.integrity.clone().with_test_clock(on);
        self.store.set_integrity(self.integrity.clone());
        self
    }

    /// The deepest nesting the host allows (E7), whatever the policy
    /// allows: a start that would nest deeper is denied
    /// `nested-impersonation`.
    pub fn with_max_depth(mut self, depth: u32) -> Self {
        self.max_depth = depth;
        self
    }

    /// The keys the store authenticates with, when there is a host key.
    pub(crate) fn keyring(&self) -> Option<&store::Keyring> {
        self.integrity.keyring()
    }

    /// Lets a tenant that never stored a policy run on the built-in one
    /// with its defaults (version 0). Off by default: such a tenant's starts
    /// are denied `policy-unavailable` (T1), so a misspelt tenant (`Acme`
    /// for `acme`) never escapes its tenant's rules.
    pub fn with_builtin_fallback(mut self, on: bool) -> Self {
        self.builtin_fallback = on;
        self
    }

    /// Trusts and writes compiled artifacts authenticated with `key`, a
    /// secret kept outside the store. Without a key every process compiles
    /// the components it loads (slower, never less safe).
    ///
    /// The key also authenticates what the store keeps (see
    /// [`crate::store::Integrity`]): audit events are chained with it, and rows
    /// the host acts on carry its tags. Every replica of one database
    /// needs the same key.
    pub fn with_host_key(mut self, key: HostKey) -> Self {
        self.integrity = self.integrity.clone().with_keyring(Some(store::Keyring::new(&key)));
        self.store.set_integrity(self.integrity.clone());
        self.host_key = Some(key);
        self
    }

    pub fn store(&self) -> &dyn Store {
        &*self.store
    }

    pub fn host(&self) -> &Host {
        &self.host
    }

    /// Session `id` as stored, or the error that names it unknown.
    pub(crate) fn stored(&self, id: &str) -> Result<SessionRecord, SessionError> {
        Ok(self
            .store
            .session(id)?
            .ok_or_else(|| StoreError::UnknownSession(id.to_string()))?)
    }

    /// Sessions: start, approve, end, extend, revoke, status, authorize.
    pub fn sessions(&self) -> sessions::Sessions<'_> {
        sessions::Sessions(self)
    }

    /// The audit trail: query, verify, checkpoints.
    pub fn audit(&self) -> audit::Audit<'_> {
        audit::Audit(self)
    }

    /// API keys, impersonation tokens, `return_to` origins.
    pub fn access(&self) -> access::Access<'_> {
        access::Access(self)
    }

    /// The messages for targets (N1) and their settings.
    pub fn outbox(&self) -> outbox::Outbox<'_> {
        outbox::Outbox(self)
    }

    /// Webhook endpoints: add, list, rotate, deliveries, replay.
    pub fn webhooks(&self) -> webhooks::Webhooks<'_> {
        webhooks::Webhooks(self)
    }
}
