//! The OpenID AuthZEN interop scenarios as a Standin policy: what a tenant
//! uploads to run the interop suites against Standin (openid/authzen
//! `interop/`). It answers generic questions only; every impersonation
//! question is denied (`not-an-impersonation-policy`).
//!
//! - **Todo** (subject `user` by its IdP id; resources `user` and `todo`):
//!   the five Rick & Morty users and their roles (Rick admin, Morty and
//!   Summer editors, Beth and Jerry viewers); `can_read_user` and
//!   `can_read_todos` for everyone, `can_create_todo` for admins and
//!   editors, `can_update_todo` and `can_delete_todo` for admins, and for
//!   editors on their own todos (`resource.properties.ownerID` is their
//!   email).
//! - **API gateway** (subject `identity`, resource `route` by its path
//!   template, action the HTTP method): each route is the Todo permission
//!   it needs; owners are checked behind the gateway, so an editor passes
//!   `PUT` and `DELETE` there.
//! - **Search** (subjects `user` alice to felix, resources `record` 101 to
//!   120, actions `view`, `edit`, `delete`): who may do what on which
//!   record, a table as a relationship store keeps it.
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Admin,
    Editor,
    Viewer,
}

/// The Todo users: IdP subject id, email, role.
const USERS: [(&str, &str, Role); 5] = [
    (
        "CiRmZDA2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs",
        "rick@the-citadel.com",
        Role::Admin,
    ),
    (
        "CiRmZDE2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs",
        "morty@the-citadel.com",
        Role::Editor,
    ),
    (
        "CiRmZDI2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs",
        "summer@the-smiths.com",
        Role::Editor,
    ),
    (
        "CiRmZDM2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs",
        "beth@the-smiths.com",
        Role::Viewer,
    ),
    (
        "CiRmZDQ2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs",
        "jerry@the-smiths.com",
        Role::Viewer,
    ),
];

/// The gateway's routes: method, path template, the permission it needs.
const ROUTES: [(&str, &str, &str); 5] = [
    ("GET", "/users/{userId}", "can_read_user"),
    ("GET", "/todos", "can_read_todos"),
    ("POST", "/todos", "can_create_todo"),
    ("PUT", "/todos/{todoId}", "can_update_todo"),
    ("DELETE", "/todos/{todoId}", "can_delete_todo"),
];

/// The search scenario's records, 101 to 120 in order.
const RECORDS: [&str; 20] = [
    "101", "102", "103", "104", "105", "106", "107", "108", "109", "110", "111", "112", "113", "114", "115", "116",
    "117", "118", "119", "120",
];

/// Per user, per record (as in [`RECORDS`]): `v`iew, `e`dit, `d`elete.
const GRANTS: [(&str, [&str; 20]); 6] = [
    (
        "alice",
        [
            "ved", "v", "v", "v", "v", "v", "ved", "v", "v", "ve", "v", "v", "ved", "v", "v", "v", "v", "v", "ved", "v",
        ],
    ),
    (
        "bob",
        [
            "v", "ved", "v", "", "v", "", "", "ved", "", "", "", "v", "", "ved", "", "v", "v", "", "v", "ved",
        ],
    ),
    (
        "carol",
        [
            "v", "v", "ved", "", "v", "", "", "v", "ved", "", "", "v", "", "", "ved", "v", "v", "", "v", "",
        ],
    ),
    (
        "dan",
        [
            "v", "v", "v", "ved", "v", "v", "v", "v", "v", "ved", "v", "v", "v", "v", "ve", "ved", "v", "v", "v", "v",
        ],
    ),
    (
        "erin",
        [
            "", "", "", "", "ved", "", "", "", "", "", "ved", "", "", "", "v", "", "ved", "", "", "",
        ],
    ),
    (
        "felix",
        [
            "", "", "", "v", "", "ved", "", "", "v", "", "v", "ved", "", "v", "", "", "", "ved", "", "v",
        ],
    ),
];
const SEARCH_ACTIONS: [&str; 3] = ["view", "edit", "delete"];

#[derive(Debug)]
pub struct AuthzenTodo;

fn owner(resource: &Entity<'_>) -> Option<String> {
    match serde_json::from_str::<Value>(resource.properties) {
        Ok(Value::Object(mut o)) => match o.remove("ownerID") {
            Some(Value::String(s)) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

/// May `role` (whose email is `email`) have `permission` on `resource`?
/// `check_owner`: whether the owner is checked here (the gateway leaves it
/// to the backend).
fn permits(role: Role, email: &str, permission: &str, resource: &Entity<'_>, check_owner: bool) -> bool {
    match permission {
        "can_read_user" | "can_read_todos" => true,
        "can_create_todo" => role != Role::Viewer,
        "can_update_todo" | "can_delete_todo" => match role {
            Role::Admin => true,
            Role::Editor => !check_owner || owner(resource).as_deref() == Some(email),
            Role::Viewer => false,
        },
        _ => false,
    }
}

fn todo(q: &Question<'_>) -> bool {
    let Some((_, email, role)) = USERS.iter().find(|(id, _, _)| *id == q.subject.id) else {
        return false;
    };
    match (q.subject.kind, q.resource.kind) {
        ("user", "user" | "todo") => permits(*role, email, q.action, &q.resource, true),
        ("identity", "route") => ROUTES
            .iter()
            .find(|(method, path, _)| *method == q.action && *path == q.resource.id)
            .is_some_and(|(_, _, permission)| permits(*role, email, permission, &q.resource, false)),
        _ => false,
    }
}

fn grants(user: &str, record: &str) -> &'static str {
    let Some((_, row)) = GRANTS.iter().find(|(u, _)| *u == user) else {
        return "";
    };
    RECORDS.iter().position(|r| *r == record).map_or("", |i| row[i])
}

fn record(q: &Question<'_>) -> bool {
    if q.subject.kind != "user" || q.resource.kind != "record" {
        return false;
    }
    let letter = match q.action {
        "view" => 'v',
        "edit" => 'e',
        "delete" => 'd',
        _ => return false,
    };
    grants(q.subject.id, q.resource.id).contains(letter)
}

fn allowed(q: &Question<'_>) -> bool {
    todo(q) || record(q)
}

impl Policy for AuthzenTodo {
    const NAME: &'static str = "authzen-todo";
    const VERSION: &'static str = "1.0.0";
    const RULES: &'static [&'static str] = &["AZ-TODO", "AZ-GATEWAY", "AZ-SEARCH"];

    fn configure(_settings: &str) -> Result<Self, Vec<String>> {
        Ok(AuthzenTodo)
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

    /// The search scenario's table (Todo questions are not searched).
    fn search(&self, kind: SearchKind, question: &Question<'_>) -> Option<Vec<String>> {
        let q = *question;
        let entity = |kind, id| Entity {
            kind,
            id,
            properties: "",
        };
        let found = match kind {
            SearchKind::Subject => GRANTS
                .iter()
                .map(|(user, _)| *user)
                .filter(|user| record(&q.with_subject(entity(q.subject.kind, user))))
                .map(ToString::to_string)
                .collect(),
            SearchKind::Resource => RECORDS
                .iter()
                .filter(|id| record(&q.with_resource(entity(q.resource.kind, id))))
                .map(|id| id.to_string())
                .collect(),
            SearchKind::Action => SEARCH_ACTIONS
                .iter()
                .filter(|a| record(&q.with_action(a)))
                .map(|a| a.to_string())
                .collect(),
        };
        Some(found)
    }
}

fn not_impersonation() -> Reason {
    Reason {
        code: "not-an-impersonation-policy".to_string(),
        rule: "AZ-TODO".to_string(),
        message: "this policy answers AuthZEN questions only".to_string(),
    }
}

#[cfg(target_arch = "wasm32")]
standin_policy_sdk::export_policy!(AuthzenTodo);
