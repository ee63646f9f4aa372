//! The AuthZEN 1.0 certification fixture as a Standin policy
//! (openid/authzen `certification/authorization-api-1_0-scenario.md`,
//! section "Required Fixture"): what a tenant uploads to certify Standin as
//! a PDP. It answers generic questions only; every impersonation question
//! is denied (`not-an-impersonation-policy`).
//!
//! - Subjects (type `user`): `alice`; `bob`, whose role is `admin`. A
//!   subject's `properties.role`, when given, is its role.
//! - Resources (type `record`): `record-1` (status `active`, owner alice),
//!   `record-2` (status `archived`, owner alice). A resource's
//!   `properties.status`, when given, is its status.
//! - Actions: `read`, `write`, `delete` (`properties.soft`).
//!
//! The rules (the fixture's eight mandated decisions follow from them):
//! a known subject may `read` any known record; `write` an archived record
//! only as an admin, an active one only as its owner; `delete` only softly
//! (`soft: true`), as the owner or an admin. Searches try every known
//! subject, record or action with the question's rules (S1-S6). Anything
//! unknown (a subject id, a type) is a deny, and a search finds nothing.
// `no_std` for the component (no WASI imports); `std` natively for tests.
#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::Value;
use standin_policy_sdk::{
    ActionDecision, ActionRequest, Entity, GenericDecision, Policy, Question, Reason, SearchKind, StartDecision,
    StartRequest,
};

/// The fixture's subjects: id and role.
const SUBJECTS: [(&str, &str); 2] = [("alice", ""), ("bob", "admin")];
/// The fixture's records: id, status, owner.
const RECORDS: [(&str, &str, &str); 2] = [("record-1", "active", "alice"), ("record-2", "archived", "alice")];
/// The fixture's actions (a search's candidates).
const ACTIONS: [&str; 3] = ["read", "write", "delete"];

#[derive(Debug)]
pub struct AuthzenFixture;

/// `properties[key]` of a JSON object given as text.
fn property(properties: &str, key: &str) -> Option<Value> {
    if properties.is_empty() {
        return None;
    }
    match serde_json::from_str::<Value>(properties) {
        Ok(Value::Object(mut o)) => o.remove(key),
        _ => None,
    }
}

fn role(subject: &Entity<'_>) -> Option<String> {
    let known = SUBJECTS.iter().find(|(id, _)| *id == subject.id)?;
    match property(subject.properties, "role") {
        Some(Value::String(role)) => Some(role),
        _ => Some(known.1.to_string()),
    }
}

/// A record's status and owner; `None` for a record the fixture does not know.
fn record(resource: &Entity<'_>) -> Option<(String, &'static str)> {
    let (_, status, owner) = RECORDS.iter().find(|(id, _, _)| *id == resource.id)?;
    let status = match property(resource.properties, "status") {
        Some(Value::String(s)) => s,
        _ => status.to_string(),
    };
    Some((status, owner))
}

/// The fixture's rules.
fn allowed(q: &Question<'_>) -> bool {
    if q.subject.kind != "user" || q.resource.kind != "record" {
        return false;
    }
    let (Some(role), Some((status, owner))) = (role(&q.subject), record(&q.resource)) else {
        return false;
    };
    let admin = role == "admin";
    let owner = q.subject.id == owner;
    match q.action {
        "read" => true,
        "write" if status == "archived" => admin,
        "write" => owner,
        "delete" => property(q.action_properties, "soft") == Some(Value::Bool(true)) && (owner || admin),
        _ => false,
    }
}

impl Policy for AuthzenFixture {
    const NAME: &'static str = "authzen-fixture";
    const VERSION: &'static str = "1.0.0";
    const RULES: &'static [&'static str] = &["AZ-C1", "AZ-C5"];

    fn configure(_settings: &str) -> Result<Self, Vec<String>> {
        Ok(AuthzenFixture)
    }

    fn evaluate_start(&self, _request: &StartRequest<'_>) -> StartDecision {
        StartDecision::Deny(alloc::vec![not_impersonation()])
    }

    fn evaluate_action(&self, _request: &ActionRequest<'_>) -> ActionDecision {
        ActionDecision::Deny(alloc::vec![not_impersonation()])
    }

    fn evaluate_question(&self, question: &Question<'_>) -> Option<GenericDecision> {
        Some(GenericDecision::of(allowed(question)))
    }

    fn search(&self, kind: SearchKind, question: &Question<'_>) -> Option<Vec<String>> {
        let q = *question;
        let found = match kind {
            SearchKind::Subject => SUBJECTS
                .iter()
                .filter(|(id, _)| {
                    allowed(&q.with_subject(Entity {
                        kind: q.subject.kind,
                        id,
                        properties: "",
                    }))
                })
                .map(|(id, _)| id.to_string())
                .collect(),
            SearchKind::Resource => RECORDS
                .iter()
                .filter(|(id, _, _)| {
                    allowed(&q.with_resource(Entity {
                        kind: q.resource.kind,
                        id,
                        properties: "",
                    }))
                })
                .map(|(id, _, _)| id.to_string())
                .collect(),
            SearchKind::Action => ACTIONS
                .iter()
                .filter(|a| allowed(&q.with_action(a)))
                .map(|a| a.to_string())
                .collect(),
        };
        Some(found)
    }
}

fn not_impersonation() -> Reason {
    Reason {
        code: "not-an-impersonation-policy".to_string(),
        rule: "AZ-C1".to_string(),
        message: "this policy answers AuthZEN questions only".to_string(),
    }
}

#[cfg(target_arch = "wasm32")]
standin_policy_sdk::export_policy!(AuthzenFixture);

#[cfg(test)]
mod tests {
    use super::*;

    fn entity<'a>(kind: &'a str, id: &'a str, properties: &'a str) -> Entity<'a> {
        Entity { kind, id, properties }
    }

    fn ask(subject: Entity<'_>, action: &str, action_properties: &str, resource: Entity<'_>) -> bool {
        let q = Question {
            subject,
            action,
            action_properties,
            resource,
            context: "",
        };
        AuthzenFixture.evaluate_question(&q).unwrap().decision
    }

    #[test]
    fn c_1_4_the_eight_mandated_decisions() {
        let (alice, bob) = (entity("user", "alice", ""), entity("user", "bob", ""));
        let record_1 = entity("record", "record-1", "");
        let archived = entity("record", "record-2", r#"{"status": "archived"}"#);
        assert!(ask(alice, "read", "", record_1), "rule 1");
        assert!(ask(alice, "write", "", record_1), "rule 2");
        assert!(ask(bob, "read", "", record_1), "rule 3");
        assert!(!ask(bob, "write", "", record_1), "rule 4");
        assert!(!ask(alice, "write", "", archived), "rule 5");
        assert!(
            ask(entity("user", "bob", r#"{"role": "admin"}"#), "write", "", archived),
            "rule 6"
        );
        assert!(ask(alice, "delete", r#"{"soft": true}"#, record_1), "rule 7");
        assert!(!ask(alice, "delete", r#"{"soft": false}"#, record_1), "rule 8");
    }
}
