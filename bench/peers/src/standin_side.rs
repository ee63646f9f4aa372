//! Standin's side: the default policy compiled natively (the rules alone,
//! the baseline) and the built-in component in a host with warm instances
//! (what an embedder runs). Both take the request in its typed form and
//! pack it on every call, as the host benches do.

use crate::Outcome;
use crate::requests::{SETTINGS, now};
use standin::{ActionRequest, Decision, Host, RequestLimits, StartRequest};
use standin_default_policy::DefaultPolicy;
use standin_wire as wire;
use standin_policy_sdk::{ActionDecision, Policy as _, StartDecision};

/// The default policy as plain Rust, configured with [`SETTINGS`].
#[derive(Debug)]
pub struct Native {
    policy: DefaultPolicy,
    limits: RequestLimits,
}

impl Default for Native {
    fn default() -> Self {
        Self {
            policy: DefaultPolicy::configure(SETTINGS).expect("the settings are valid"),
            limits: RequestLimits::default(),
        }
    }
}

impl Native {
    /// Packs `request` (checks included) and runs the start rules on it.
    pub fn start(&self, request: &StartRequest) -> StartDecision {
        let packed = request.pack(&self.limits, now()).expect("the request packs");
        self.policy.evaluate_start(&standin_policy_sdk::StartRequest::of(&packed))
    }

    /// Packs `request` and runs the action rules on it.
    pub fn action(&self, request: &ActionRequest) -> ActionDecision {
        let packed = request.pack(&self.limits, now()).expect("the request packs");
        self.policy.evaluate_action(&standin_policy_sdk::ActionRequest::of(&packed))
    }
}

/// The built-in component, loaded with [`SETTINGS`] in a host that reuses
/// instances (`HostConfig::default()`).
#[derive(Debug)]
pub struct Component {
    policy: standin::Policy,
    limits: RequestLimits,
}

impl Default for Component {
    fn default() -> Self {
        let host = Host::new().expect("a host");
        Self {
            policy: host.load_default(SETTINGS).expect("the default policy loads"),
            limits: RequestLimits::default(),
        }
    }
}

impl Component {
    /// `Policy::evaluate_start`: packs, calls the warm instance, reads the
    /// decision back.
    pub fn start(&self, request: &StartRequest) -> Decision {
        self.policy.evaluate_start(request, now())
    }

    /// `Policy::evaluate_action`.
    pub fn action(&self, request: &ActionRequest) -> Decision {
        self.policy.evaluate_action(request, now())
    }

    /// `request` packed, for the `*_packed` calls.
    pub fn pack_start(&self, request: &StartRequest) -> wire::StartRequest {
        request.pack(&self.limits, now()).expect("the request packs")
    }

    /// `request` packed, for the `*_packed` calls.
    pub fn pack_action(&self, request: &ActionRequest) -> wire::ActionRequest {
        request.pack(&self.limits, now()).expect("the request packs")
    }

    /// `Policy::evaluate_start_packed`: the call without the packing.
    pub fn start_packed(&self, packed: wire::StartRequest) -> Decision {
        self.policy.evaluate_start_packed(packed)
    }

    /// `Policy::evaluate_action_packed`.
    pub fn action_packed(&self, packed: wire::ActionRequest) -> Decision {
        self.policy.evaluate_action_packed(packed)
    }
}

/// A native start decision as an [`Outcome`]. A pending start (no
/// approval is configured, so none is expected) reads as a deny `pending`.
pub fn start_outcome(decision: &StartDecision) -> Outcome {
    match decision {
        StartDecision::Allow(grant) => Outcome::allow(Some(grant.ttl_seconds), grant.obligations.iter().cloned()),
        StartDecision::Pending(..) => Outcome::deny(["pending"]),
        StartDecision::Deny(reasons) => Outcome::deny(reasons.iter().map(|r| r.code.clone())),
    }
}

/// A native action decision as an [`Outcome`].
pub fn action_outcome(decision: &ActionDecision) -> Outcome {
    match decision {
        ActionDecision::Allow(obligations) => Outcome::allow(None, obligations.iter().cloned()),
        ActionDecision::Deny(reasons) => Outcome::deny(reasons.iter().map(|r| r.code.clone())),
    }
}

/// A component decision (start or action) as an [`Outcome`].
pub fn decision_outcome(decision: &Decision) -> Outcome {
    match decision {
        Decision::Allow(grant) => Outcome::allow(
            grant.lease.map(|l| l.ttl_seconds()),
            grant.obligations.iter().cloned(),
        ),
        Decision::Pending(..) => Outcome::deny(["pending"]),
        Decision::Deny(_) => Outcome::deny(decision.codes()),
    }
}
