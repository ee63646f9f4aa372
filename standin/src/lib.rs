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
//! what a platform runs on top: [`Sessions`] (who impersonates whom until when), the hash-chained
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
pub mod deadline;
pub mod harness;
pub mod integrity;
pub mod model;
pub mod outbox;
pub mod policies;
pub mod sessions;
pub mod store;
mod tenant;
pub mod worker;

pub use sessions::{
    ActionCall, ApprovalOutcome, Authorization, Banner, SessionError, Sessions, StartOutcome, SweeperRole,
};
pub use tenant::TenantSessions;
// The engine layer, at the paths it had before it was its own crate.
pub use model::SessionRecord;
pub use standin_engine::{
    ActionRequest, ApprovalRequest, Approvers, ArtifactDir, DEFAULT_POLICY, Decision, Digest, HARD_MAX_TTL_SECONDS,
    Host, HostConfig, HostError, HostKey, HostKeyError, LoadError, MAX_ACTIONS_PER_CALL, MAX_APPROVAL_TTL_SECONDS,
    POLICY_FUNCTIONS, POLICY_INTERFACE, POLICY_INTERFACE_0_2, POLICY_INTERFACE_0_3, PackedSession, Policy, PolicyInfo,
    Principal, Reason, RequestError, RequestLimits, SandboxLimits, SessionFacts, SessionRef, StartRequest, Verdict,
    default_host_key_path,
};
pub use standin_engine::{decision, invariants, request};
pub use store::Store;
