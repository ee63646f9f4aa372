//! Generic AuthZEN questions: a subject, an action, a resource and a
//! context of any types, asked of a tenant's active policy (the
//! impersonation questions have their own paths, `authorize` and `check
//! start`). Here because the HTTP API is not the only asker: the harness
//! and a platform embedding the library ask the same way.
//!
//! Every answer is audited like the rest (`authzen.allowed`,
//! `authzen.denied`: the subject as actor, the action, the resource as
//! `type:id`, the policy version, an error code when no policy decision
//! could be had), allows unless the tenant's settings say
//! `"audit_generic_allows": false`. Fail closed: a policy that cannot answer (built before
//! generic questions, unavailable, broken) gives a deny carrying an error
//! code, never an allow; a trail that cannot be written is a deny too.

pub mod access_request;

use crate::Tenant;
use crate::audit::{AuditEvent, Seal, events};
use chrono::{DateTime, Utc};
use serde_json::Value;
pub use standin_engine::generic::{
    Answer, MAX_QUESTION_BYTES, MAX_SEARCH_RESULTS, Question, SearchKind, UNSUPPORTED, question_bytes,
};

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

/// One tenant's generic questions (see [`Tenant::authzen`]).
#[derive(Debug, Clone, Copy)]
pub struct TenantAuthzen<'a>(Tenant<'a>);

impl<'a> Tenant<'a> {
    /// This tenant's generic AuthZEN questions.
    pub fn authzen(&self) -> TenantAuthzen<'a> {
        TenantAuthzen(*self)
    }
}

/// The settings key that turns auditing of generic allows off.
pub const AUDIT_GENERIC_ALLOWS: &str = "audit_generic_allows";

/// Whether a tenant's generic allows are audited: unless its active
/// version's settings say `"audit_generic_allows": false` (a tenant asking
/// its policy about its own resources at volume may not want a row per
/// allow; denies are always audited, and so is everything impersonation
/// does). Read from the settings the version was stored with, whichever
/// component it runs, and only ever `false` when they say exactly that.
fn audits_allows(policy: &Result<standin_engine::Policy, crate::Decision>) -> bool {
    let Ok(policy) = policy else { return true };
    let settings = policy.settings();
    if !settings.contains(AUDIT_GENERIC_ALLOWS) {
        return true;
    }
    serde_json::from_str::<Value>(settings)
        .ok()
        .and_then(|v| v.get(AUDIT_GENERIC_ALLOWS).and_then(Value::as_bool))
        != Some(false)
}

fn text<'v>(v: &'v Value, key: &str) -> &'v str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The audit row of `answer` to `question`: `authzen.allowed` or
/// `authzen.denied`, the subject as actor, the resource as `type:id`.
fn event(
    tenant: &str,
    question: &Question,
    answer: &Answer,
    policy: &crate::decision::PolicyRef,
    now: DateTime<Utc>,
) -> AuditEvent {
    AuditEvent {
        seq: 0,
        tenant: tenant.to_string(),
        at: now,
        event: if answer.decision {
            events::AUTHZEN_ALLOWED
        } else {
            events::AUTHZEN_DENIED
        }
        .to_string(),
        session: None,
        actor: text(&question.subject, "id").to_string(),
        target: String::new(),
        action: Some(text(&question.action, "name").to_string()),
        resource: Some(format!(
            "{}:{}",
            text(&question.resource, "type"),
            text(&question.resource, "id")
        )),
        reason: None,
        codes: answer.error.iter().map(|(code, _)| code.clone()).collect(),
        end_reason: None,
        policy: policy.clone(),
        expires_at: None,
        obligations: answer.decision.then(|| answer.obligations.clone()),
        note: answer.error.as_ref().map(|(_, message)| message.clone()),
        request: None,
        prev_hash: String::new(),
        hash: String::new(),
        seal: Seal::default(),
    }
}

impl TenantAuthzen<'_> {
    /// Asks the tenant's active policy `question`, and audits the answer.
    pub fn evaluate(&self, question: &Question, now: DateTime<Utc>) -> Answer {
        self.evaluate_many(std::slice::from_ref(question), now)
            .pop()
            .unwrap_or_else(|| Answer::error(crate::decision::codes::POLICY_UNAVAILABLE, "no answer"))
    }

    /// [`TenantAuthzen::evaluate`] for each of `questions`, in order, with
    /// one wait: the policy is resolved once, every answer's row handed to
    /// the store at once (committed with concurrent callers' rows where
    /// the store groups them), and each answer given once its row is
    /// committed. A row that could not be written makes its answer a deny.
    pub fn evaluate_many(&self, questions: &[Question], now: DateTime<Utc>) -> Vec<Answer> {
        let tenant = self.0.name();
        let standin = self.0.standin();
        let resolved = match standin.policies().policy(tenant, None) {
            Ok(r) => r,
            Err(e) => {
                let why = e.to_string();
                return questions
                    .iter()
                    .map(|_| Answer::error(crate::decision::codes::POLICY_UNAVAILABLE, why.clone()))
                    .collect();
            }
        };
        let audits_allows = audits_allows(&resolved.policy);
        let mut answers: Vec<Answer> = questions
            .iter()
            .map(|question| match &resolved.policy {
                Ok(policy) => policy.evaluate_question(question),
                Err(deny) => match deny.reasons().first() {
                    Some(r) => Answer::error(&r.code, r.message.clone()),
                    None => Answer::error(crate::decision::codes::POLICY_UNAVAILABLE, "no policy"),
                },
            })
            .collect();
        let audited: Vec<usize> = (0..answers.len())
            .filter(|&i| !answers[i].decision || audits_allows)
            .collect();
        let mut rows = audited
            .iter()
            .map(|&i| vec![event(tenant, &questions[i], &answers[i], &resolved.reference, now)]);
        let recorded = standin.store.append_events(&mut rows);
        let mut recorded = recorded.into_iter();
        for i in audited {
            let result = recorded.next();
            match result {
                Some(Ok(_)) => {}
                // No trail, no allow.
                Some(Err(e)) => {
                    answers[i] = Answer::error(
                        crate::decision::codes::POLICY_UNAVAILABLE,
                        format!("the answer could not be audited: {e}"),
                    );
                }
                None => {
                    answers[i] = Answer::error(
                        crate::decision::codes::POLICY_UNAVAILABLE,
                        "the answer could not be audited: the store answered fewer rows than it was given",
                    );
                }
            }
        }
        answers
    }

    /// What the tenant's active policy would allow of `search`: entities
    /// (`{"type", "id"}`) or actions (`{"name"}`); none when it cannot say.
    pub fn search(&self, search: &Search, now: DateTime<Utc>) -> Vec<Value> {
        let _ = now;
        let tenant = self.0.name();
        let Ok(resolved) = self.0.standin().policies().policy(tenant, None) else {
            return Vec::new();
        };
        let Ok(policy) = &resolved.policy else {
            return Vec::new();
        };
        let question = Question {
            subject: search.subject.clone(),
            action: search.action.clone(),
            resource: search.resource.clone(),
            context: search.context.clone(),
        };
        let found = policy.search(search.kind, &question).unwrap_or_default();
        let kind = match search.kind {
            SearchKind::Subject => text(&search.subject, "type"),
            SearchKind::Resource => text(&search.resource, "type"),
            SearchKind::Action => "",
        };
        found
            .into_iter()
            .map(|id| match search.kind {
                SearchKind::Action => serde_json::json!({ "name": id }),
                _ => serde_json::json!({ "type": kind, "id": id }),
            })
            .collect()
    }
}
