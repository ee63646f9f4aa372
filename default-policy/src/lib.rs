//! Standin's default impersonation policy.
//!
//! Every rule of `REQUIREMENTS.md` that a tenant can tune by settings lives
//! here as plain `no_std` Rust: [`settings`] reads and checks the tenant's
//! JSON, [`start`] answers "may this actor impersonate this target?" (E1-E10,
//! S1) and [`action`] answers "may the actor do this during the session?"
//! (F1-F6, read-only sessions, S3); [`approval`] decides which starts wait
//! for a second person or the target, and who may answer them (AP1). On wasm32 the crate is also the
//! component that the host embeds; natively it is the benchmark's baseline.
// `no_std` where it matters (the component imports nothing); `std` natively,
// where a cdylib needs a panic handler and an allocator.
#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

pub mod action;
pub mod approval;
mod lists;
pub mod principal;
#[cfg(not(target_arch = "wasm32"))]
pub mod schema;
pub mod scope;
pub mod settings;
pub mod start;

use alloc::string::String;
use alloc::vec::Vec;
pub use settings::Settings;
use standin_policy_sdk::{
    Action, ActionDecision, ActionRequest, ApprovalDecision, ApprovalRequest, Policy, StartDecision, StartRequest,
};

/// The default policy, configured.
#[derive(Debug, Clone)]
pub struct DefaultPolicy {
    settings: Settings,
}

impl Policy for DefaultPolicy {
    const NAME: &'static str = "standin-default";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const RULES: &'static [&'static str] = &[
        "E1", "E2", "E3", "E4", "E5", "E6", "E7", "E8", "E9", "E10", "S1", "S3", "S7", "F1", "F2", "F3", "F4", "F5",
        "F6", "N2", "AP1", "SC1", "IT1", "DT1", "ST1",
    ];
    /// Evaluations read the settings and the request and keep nothing:
    /// everything a decision allocates lives in the call arena.
    const CALL_ARENA: bool = true;

    fn configure(settings: &str) -> Result<Self, Vec<String>> {
        Ok(Self {
            settings: Settings::parse(settings)?,
        })
    }

    fn evaluate_start(&self, request: &StartRequest<'_>) -> StartDecision {
        start::evaluate(&self.settings, request)
    }

    fn evaluate_action(&self, request: &ActionRequest<'_>) -> ActionDecision {
        action::evaluate(&self.settings, request)
    }

    fn evaluate_actions(&self, request: &ActionRequest<'_>, actions: &[Action<'_>]) -> Vec<ActionDecision> {
        action::evaluate_many(&self.settings, request, actions)
    }

    fn evaluate_approval(&self, request: &ApprovalRequest<'_>) -> ApprovalDecision {
        // An approval is asked with the start as it stands at the answer:
        // its own rules first, then who may answer.
        match start::evaluate(&self.settings, &request.start) {
            StartDecision::Deny(reasons) => ApprovalDecision::Deny(reasons),
            _ => approval::evaluate(&self.settings, request),
        }
    }
}

#[cfg(all(target_arch = "wasm32", feature = "component"))]
standin_policy_sdk::export_policy!(DefaultPolicy);
