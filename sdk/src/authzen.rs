//! Generic AuthZEN questions (`standin:policy@0.5.0`): may a subject do an
//! action on a resource, all of any type? A policy answers them by
//! overriding [`crate::Policy::evaluate_question`] (and
//! [`crate::Policy::search`]); the `properties` and the context are the
//! caller's JSON, as text, for the policy to read with the JSON library it
//! likes (the SDK stays free of one).

use alloc::string::String;
use alloc::vec::Vec;

/// A subject or resource: its type, its id (`""` for the entity a search
/// looks for) and its `properties`, a JSON object as text (`""` for none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entity<'a> {
    pub kind: &'a str,
    pub id: &'a str,
    pub properties: &'a str,
}

/// One generic question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Question<'a> {
    pub subject: Entity<'a>,
    /// The action's name (`""` in an action search).
    pub action: &'a str,
    /// The action's `properties`, a JSON object as text, or `""`.
    pub action_properties: &'a str,
    pub resource: Entity<'a>,
    /// The question's `context`, a JSON object as text, or `""`.
    pub context: &'a str,
}

impl<'a> Question<'a> {
    /// The same question about another subject, action or resource (what a
    /// search asks for each candidate).
    pub fn with_subject(mut self, subject: Entity<'a>) -> Self {
        self.subject = subject;
        self
    }

    pub fn with_action(mut self, action: &'a str) -> Self {
        self.action = action;
        self.action_properties = "";
        self
    }

    pub fn with_resource(mut self, resource: Entity<'a>) -> Self {
        self.resource = resource;
        self
    }
}

/// What a search looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchKind {
    Subject,
    Resource,
    Action,
}

/// The answer to a generic question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenericDecision {
    pub decision: bool,
    /// The answer's `context`, a JSON object as text; `""` for nothing to
    /// say (an allow is then exactly `{"decision": true}`).
    pub context: String,
    /// Duties of the caller that come with the decision.
    pub obligations: Vec<String>,
}

impl GenericDecision {
    pub fn allow() -> Self {
        Self::of(true)
    }

    pub fn deny() -> Self {
        Self::of(false)
    }

    /// `decision`, with nothing else to say.
    pub fn of(decision: bool) -> Self {
        Self {
            decision,
            context: String::new(),
            obligations: Vec::new(),
        }
    }

    /// With `context` (a JSON object as text) as the answer's context.
    pub fn with_context(mut self, context: String) -> Self {
        self.context = context;
        self
    }
}
