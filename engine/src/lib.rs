//! Standin's engine: policy components loaded, sandboxed and asked.
//!
//! This crate is the layer under sessions and storage. It knows a
//! [`Host`] (one wasmtime engine, the cache of compiled components), a
//! [`Policy`] (one tenant's component with its settings), the requests it is
//! asked ([`StartRequest`], [`ActionRequest`], [`ApprovalRequest`]) and the
//! [`Decision`]s it answers, and nothing of sessions, audit trails or
//! databases: those live in the `standin` crate, which re-exports what a
//! platform uses of this at the same paths. An embedder that only wants
//! decisions can depend on this crate alone.
//!
//! Where things are: the host and its compile cache in `host.rs`, loading
//! and the WIT checks in `load.rs`, the sandbox (memory cap, deadline) in
//! `sandbox.rs`, the WIT boundary in `bindings/` (generated; exports looked
//! up when first called in `bindings/lazy.rs`) with the
//! packing of requests in `request/` and the reading of answers in
//! `checked.rs`, and the rules the host enforces whatever a policy says in
//! `invariants.rs`.
//!
//! Policies are untrusted. Each runs in its own store with no imports, a
//! memory cap, a deadline and capped input and output; whatever goes wrong
//! inside one (a trap, a loop, a memory bomb, nonsense output) is a deny
//! with a `policy-*` code, and the host goes on serving.
//!
//! ```no_run
//! use standin_engine::{Host, StartRequest};
//! let host = Host::new()?;
//! let policy = host.load_default(r#"{"require_reason": true}"#)?;
//! let request: StartRequest = serde_json::from_str(r#"{"tenant": "acme",
//!     "actor": {"id": "u-1", "roles": ["super_admin"]},
//!     "target": {"id": "u-2", "active": true, "has_logged_in": true}}"#)?;
//! let decision = policy.evaluate_start(&request, chrono::Utc::now());
//! assert!(!decision.is_allow()); // no reason given
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod artifact_dir;
mod bindings;
mod capped;
mod checked;
mod compiled;
pub mod decision;
mod digest;
pub mod generic;
mod host;
mod hostkey;
pub mod invariants;
mod load;
mod policy;
mod preinit;
pub mod request;
mod sandbox;
pub mod scope;
mod wasi;

pub use artifact_dir::ArtifactDir;
pub use capped::read_file as read_capped_file;
pub use checked::{HARD_MAX_TTL_SECONDS, MAX_APPROVAL_TTL_SECONDS};
pub use compiled::Compiled;
pub use decision::{Approvers, Decision, Denial, Grant, Lease, Reason, Verdict};
pub use host::{Artifacts, Digest, Host, HostConfig, HostError};
pub use hostkey::{HostKey, HostKeyError, default_path as default_host_key_path};
pub use load::{
    LoadError, POLICY_FUNCTIONS, POLICY_INTERFACE, POLICY_INTERFACE_0_2, POLICY_INTERFACE_0_3, POLICY_INTERFACE_0_4,
    POLICY_INTERFACE_0_5, POLICY_INTERFACE_0_6,
};
pub use policy::{MAX_ACTIONS_PER_CALL, Policy, PolicyInfo, SharedStats};
pub use request::{
    ActionRequest, ApprovalRequest, PackedSession, Principal, RequestError, RequestLimits, SessionFacts, SessionRef,
    StartRequest,
};
pub use sandbox::SandboxLimits;
pub use scope::Scope;

/// The built-in default policy component (`default-policy/`, built for
/// `wasm32-wasip2` by this crate's build script).
pub const DEFAULT_POLICY: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/default_policy.wasm"));
