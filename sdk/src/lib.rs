//! Write Standin impersonation policies in Rust.
//!
//! A policy is a type implementing [`Policy`]: it reads its settings once,
//! then answers start and action requests with decisions. On `wasm32`,
//! [`export_policy!`] turns it into a component of the `standin:policy`
//! world; natively the same type runs as plain Rust, which is how the host
//! measures its sandbox against a baseline.
//!
//! Requests cross the component boundary packed (see `wit/policy.wit`): the
//! `standin-wire` types carry spans into one text buffer, and [`facts`]
//! resolves them into `&str` views. The crate is `no_std` + `alloc` so that a policy
//! imports nothing from WASI.
#![no_std]

extern crate alloc;
// Lets the generated bindings name this crate by path, as dependents do.
extern crate self as standin_policy_sdk;

pub mod authzen;
#[doc(hidden)]
pub mod compare;
pub mod decision;
pub mod facts;
pub mod pattern;
pub mod text;

#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod guest;

pub use authzen::{Entity, GenericDecision, Question, SearchKind};
pub use decision::{ActionDecision, ApprovalDecision, Approvers, Grant, Reason, Reasons, Scope, StartDecision};
pub use facts::{
    Action, ActionRequest, ApprovalRequest, Attributes, Principal, ScopeRequest, Session, SessionRef, StartRequest,
    Strs,
};
pub use pattern::Pattern;

use alloc::string::String;
use alloc::vec::Vec;

/// An impersonation policy.
///
/// `configure` runs once per instance; `evaluate_*` run for every request
/// and must not panic on any input (a panic is a trap, and the host turns it
/// into a `policy-error` deny).
pub trait Policy: Sized {
    /// Name shown by `describe`.
    const NAME: &'static str;
    /// Version shown by `describe`.
    const VERSION: &'static str;
    /// Requirement ids this policy implements (`E1`, `F2`, ...).
    const RULES: &'static [&'static str];

    /// Whether what `evaluate_*` (and `search`) allocate may live only as
    /// long as the call: then it comes from a per-call arena, a pointer
    /// bump, and freeing it costs nothing (a one-reason deny's strings and
    /// list are a fifth of its cost on the heap). The arena is reused by
    /// the next call, so turn this on only when no evaluation keeps
    /// anything it allocated (no cache filled lazily through `&self`, no
    /// `static` set during a call): what it kept would be overwritten.
    /// `configure` always allocates on the heap. Off by default.
    const CALL_ARENA: bool = false;

    /// Reads `settings` (JSON). Settings that make no sense are refused with
    /// every problem found, each naming the field.
    fn configure(settings: &str) -> Result<Self, Vec<String>>;

    /// May the actor start impersonating the target?
    fn evaluate_start(&self, request: &StartRequest<'_>) -> StartDecision;

    /// May the actor, inside the session, do the action?
    fn evaluate_action(&self, request: &ActionRequest<'_>) -> ActionDecision;

    /// Several actions in one session at one time: one decision per
    /// action, in order, each what [`Self::evaluate_action`] answers for
    /// `request` with that action. The default asks exactly that; a policy
    /// overrides it to share work between the actions (the session's own
    /// checks, done once).
    fn evaluate_actions(&self, request: &ActionRequest<'_>, actions: &[Action<'_>]) -> Vec<ActionDecision> {
        actions.iter().map(|a| self.evaluate_action(&request.with(a))).collect()
    }

    /// May `request.approver` answer (approve or reject) a start this
    /// policy answered [`StartDecision::Pending`]? The host refuses the
    /// actor before asking. A policy that never answers `Pending` keeps
    /// this default: nobody may.
    fn evaluate_approval(&self, request: &ApprovalRequest<'_>) -> ApprovalDecision {
        ApprovalDecision::refuse(
            "approver-not-allowed",
            "AP1",
            alloc::format!(
                "`{}` cannot approve: this policy asks no one for approval",
                request.approver.id
            ),
        )
    }

    /// A generic AuthZEN question (any subject, action and resource types:
    /// see [`authzen`]). `None`, the default: this policy answers only
    /// impersonation questions, and the host denies
    /// (`generic-questions-unsupported`).
    fn evaluate_question(&self, question: &Question<'_>) -> Option<GenericDecision> {
        let _ = question;
        None
    }

    /// The JSON Schema (draft 2020-12) of the settings [`Self::configure`]
    /// reads, as text, so the console draws a form for them. `None`, the
    /// default: the console edits the settings as JSON.
    fn settings_schema() -> Option<String> {
        None
    }

    /// What this policy knows that `question` would allow: ids of subjects
    /// of `question.subject.kind` ([`SearchKind::Subject`]), of resources of
    /// `question.resource.kind`, or action names. `None`, the default: this
    /// policy does not search (the host finds nothing).
    fn search(&self, kind: SearchKind, question: &Question<'_>) -> Option<Vec<String>> {
        let _ = (kind, question);
        None
    }
}
