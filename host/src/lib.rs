//! Standin: impersonation policies as WebAssembly components.
//!
//! A platform embeds a [`Host`], loads each tenant's policy with
//! [`Host::load`] (or [`Host::load_default`] for the built-in one), and asks
//! it questions: [`Policy::evaluate_start`] (may this actor impersonate this
//! target?) and [`Policy::evaluate_action`] (may the actor do this during
//! the session?). Every answer is a [`Decision`]: allow or deny, every
//! reason, and diagnostics.
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

mod answer;
mod artifact_dir;
pub mod audit;
mod bindings;
mod capped;
mod compiled;
pub mod decision;
mod digest;
mod engine;
pub mod harness;
mod hostkey;
pub mod invariants;
pub mod keys;
mod load;
mod policy;
mod preinit;
pub mod request;
mod sandbox;
pub mod session;
pub mod store;
pub mod token;

pub use artifact_dir::ArtifactDir;
pub use decision::{Approvers, Decision, Reason, Verdict};
pub use engine::{Digest, Host, HostConfig, HostError};
pub use hostkey::{HostKey, HostKeyError, default_path as default_host_key_path};
pub use load::{LoadError, POLICY_FUNCTIONS, POLICY_INTERFACE, POLICY_INTERFACE_0_2, POLICY_INTERFACE_0_3};
pub use policy::{HARD_MAX_TTL_SECONDS, MAX_ACTIONS_PER_CALL, MAX_APPROVAL_TTL_SECONDS, Policy, PolicyInfo};
pub use request::{
    ActionRequest, ApprovalRequest, PackedSession, Principal, RequestError, RequestLimits, SessionFacts, SessionRef,
    StartRequest,
};
pub use sandbox::SandboxLimits;
pub use session::{
    ActionCall, ApprovalOutcome, Authorization, Banner, SessionError, Sessions, StartOutcome, SweeperRole,
};
#[cfg(feature = "sqlite")]
pub use store::SqliteStore;
pub use store::{SessionRecord, Store};

/// The built-in default policy component (`policy/`, built for
/// `wasm32-wasip2` by this crate's build script).
pub const DEFAULT_POLICY: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/default_policy.wasm"));
