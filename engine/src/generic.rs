//! Generic AuthZEN questions (`standin:policy@0.5.0`): a subject, an
//! action, a resource and a context of any types, their `properties` JSON,
//! asked of a policy as they came (not packed into words: they are rarer
//! than impersonation questions, and their properties are the caller's
//! JSON). What the policy answers is checked as every answer is: a context
//! that is not a JSON object, or over the caps, is a `policy-error` deny.
//!
//! Fail closed: whatever keeps a policy from answering (built before 0.5.0,
//! answers `none`, traps, loops, garbage) is `decision: false` with an
//! error code, never an allow.

use crate::bindings::wit;
use crate::decision::{Decision, codes};
use crate::sandbox::SandboxLimits;
use serde_json::{Map, Value};
use std::borrow::Cow;

/// The most bytes of JSON (every `properties` and the context together) a
/// generic question may carry.
pub const MAX_QUESTION_BYTES: usize = 64 * 1024;
/// The most results a search answers with.
pub const MAX_SEARCH_RESULTS: usize = 1000;
/// The deny's code when a policy answers no generic questions.
pub const UNSUPPORTED: &str = "generic-questions-unsupported";

/// One AuthZEN question: each member a JSON object as the request gave it
/// (`type`, `id`, `properties` of the entities; `name`, `properties` of
/// the action; the context).
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

/// The answer to a generic question.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub decision: bool,
    /// What the policy says besides the decision (an object), if anything.
    pub context: Option<Map<String, Value>>,
    /// Duties of the caller that come with the decision.
    pub obligations: Vec<String>,
    /// Why no policy decision could be had: a code and a message.
    pub error: Option<(String, String)>,
}

impl Answer {
    /// The deny of a question no policy answered: `code` and why.
    pub fn error(code: &str, message: impl Into<String>) -> Self {
        Self {
            decision: false,
            context: None,
            obligations: Vec::new(),
            error: Some((code.to_string(), message.into())),
        }
    }

    /// As a [`Decision`], for what counts and compares decisions (metrics,
    /// suites): an allow with its obligations; a deny with the error's code
    /// when there is one (a policy's own deny has no reasons).
    pub fn to_decision(&self) -> Decision {
        match (&self.error, self.decision) {
            (Some((code, message)), _) => Decision::host_deny(code, message.clone()),
            (None, true) => Decision::allow_action(self.obligations.iter().cloned().map(Cow::Owned).collect()),
            (None, false) => Decision::deny(Vec::new()),
        }
    }

    /// The deny standing for a host deny (a policy failure).
    pub(crate) fn failed(deny: &Decision) -> Self {
        match deny.reasons().first() {
            Some(r) => Self::error(&r.code, r.message.clone()),
            None => Self::error(codes::POLICY_ERROR, "the policy could not answer"),
        }
    }
}

/// The bytes of JSON a question carries (what [`MAX_QUESTION_BYTES`] caps).
pub fn question_bytes(q: &Question) -> usize {
    let props = |v: &Value| v.get("properties").map_or(0, |p| p.to_string().len());
    props(&q.subject) + props(&q.action) + props(&q.resource) + q.context.to_string().len()
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_string()
}

fn properties(v: &Value) -> String {
    match v.get("properties") {
        Some(p @ Value::Object(_)) => p.to_string(),
        _ => String::new(),
    }
}

fn entity(v: &Value) -> wit::Entity {
    wit::Entity {
        type_: text(v, "type"),
        id: text(v, "id"),
        properties: properties(v),
    }
}

/// The question as it crosses the boundary; `Err` when it is over the cap.
pub(crate) fn lower(q: &Question) -> Result<wit::Question, String> {
    let bytes = question_bytes(q);
    if bytes > MAX_QUESTION_BYTES {
        return Err(format!(
            "the question carries {bytes} bytes of properties and context, over the cap of {MAX_QUESTION_BYTES}"
        ));
    }
    Ok(wit::Question {
        subject: entity(&q.subject),
        action: text(&q.action, "name"),
        action_properties: properties(&q.action),
        resource: entity(&q.resource),
        context: match &q.context {
            Value::Object(o) if !o.is_empty() => q.context.to_string(),
            _ => String::new(),
        },
    })
}

pub(crate) fn kind(k: SearchKind) -> wit::SearchKind {
    match k {
        SearchKind::Subject => wit::SearchKind::Subject,
        SearchKind::Resource => wit::SearchKind::Resource,
        SearchKind::Action => wit::SearchKind::Action,
    }
}

/// A policy's generic answer, checked: caps on entries and bytes, a
/// context that is "" or a JSON object.
pub(crate) fn checked(limits: &SandboxLimits, d: wit::GenericDecision) -> Answer {
    let entries = d.obligations.len();
    let bytes = d.context.len() + d.obligations.iter().map(String::len).sum::<usize>();
    if entries > limits.max_response_entries || bytes > limits.max_response_bytes {
        return Answer::error(
            codes::POLICY_ERROR,
            format!(
                "policy answered with {entries} obligations and {bytes} bytes, above the caps of {} entries and {} bytes",
                limits.max_response_entries, limits.max_response_bytes
            ),
        );
    }
    let context = if d.context.is_empty() {
        None
    } else {
        match serde_json::from_str::<Value>(&d.context) {
            Ok(Value::Object(o)) => Some(o).filter(|o| !o.is_empty()),
            _ => {
                return Answer::error(
                    codes::POLICY_ERROR,
                    "policy answered with a context that is not a JSON object",
                );
            }
        }
    };
    Answer {
        decision: d.decision,
        context,
        obligations: d.obligations,
        error: None,
    }
}

/// A search's results, checked: at most [`MAX_SEARCH_RESULTS`], none
/// empty, within the byte cap; otherwise nothing is found.
pub(crate) fn found(limits: &SandboxLimits, results: Vec<String>) -> Vec<String> {
    let bytes: usize = results.iter().map(String::len).sum();
    if results.len() > MAX_SEARCH_RESULTS || bytes > limits.max_response_bytes || results.iter().any(String::is_empty) {
        return Vec::new();
    }
    let mut seen = std::collections::HashSet::new();
    results.into_iter().filter(|r| seen.insert(r.clone())).collect()
}
