//! The strict preset (ST1): what a tenant's settings left out mean when
//! it asks for `"preset": "strict"`, each rule it sets checked by the
//! start or action it changes; the permissive defaults stay as they were.

use crate::common::*;
use crate::sessions::{req, service, set};
use serde_json::{Value, json};
use standin::Standin;
use standin::decision::Decision;

fn strict(s: &Standin, extra: Value) {
    let settings = json!({
        "preset": "strict",
        "role_levels": {"owner": 200, "super_admin": 150, "admin": 100, "employee": 10}
    });
    set(s, "acme", patch(settings, extra));
}

fn start(s: &Standin, extra: Value) -> standin::StartOutcome {
    s.sessions().start(&req(extra), None, now()).expect("start")
}

fn lease(d: &Decision) -> (u64, u64, bool) {
    let json: Value = serde_json::from_str(&d.to_json()).expect("json");
    (
        json["ttl_seconds"].as_u64().expect("ttl"),
        json["max_ttl_seconds"].as_u64().expect("max"),
        json["read_only"].as_bool().expect("read_only"),
    )
}

#[test]
fn st1_strict_asks_a_ticket_as_the_reason() {
    let (_d, s) = service();
    strict(&s, json!({}));
    assert_deny(&start(&s, json!({})).decision, &["reason-required"]);
    assert_deny(
        &start(&s, json!({"reason": "looking around"})).decision,
        &["reason-pattern-mismatch"],
    );
    assert_allow(&start(&s, json!({"reason": "SUP-1042"})).decision);
}

#[test]
fn st1_strict_sessions_are_short_idle_bounded_and_read_only_unless_scoped() {
    let (_d, s) = service();
    strict(&s, json!({}));
    let out = start(&s, json!({"reason": "SUP-1", "ttl_seconds": 86_400}));
    assert_eq!(lease(&out.decision), (3600, 3600, true), "1 h at most, read-only");
    let session = out.session.expect("a session");
    assert_eq!(session.idle_timeout_seconds, Some(900));
    assert_eq!(
        session.obligations,
        ["do-not-track"],
        "the login-as is not the target's login"
    );
    assert!(session.notify_target);
    // Reads are fine; a write is not, in a session that asked for no scope.
    let view = s
        .sessions()
        .authorize(&session.id, "course.view", None, now())
        .expect("authorize");
    assert_allow(&view.decision);
    assert!(view.decision.obligations().iter().any(|o| o == "do-not-track"));
    let write = s
        .sessions()
        .authorize(&session.id, "ticket.comment", None, now())
        .expect("authorize");
    assert_deny(&write.decision, &["read-only-session"]);
    s.sessions().end(&session.id, now()).expect("end");

    // Asking for a scope is how a strict session writes.
    let out = start(&s, json!({"reason": "SUP-2", "scope": {"actions": ["ticket.comment"]}}));
    assert!(!lease(&out.decision).2, "scoped: not read-only");
    let session = out.session.expect("a session");
    let write = s
        .sessions()
        .authorize(&session.id, "ticket.comment", None, now())
        .expect("authorize");
    assert_allow(&write.decision);
}

#[test]
fn st1_strict_asks_approval_for_privileged_targets() {
    let (_d, s) = service();
    strict(&s, json!({}));
    let admin = patch(target(), json!({"roles": ["admin"]}));
    let out = s
        .sessions()
        .start(&start_request(actor(), admin, json!({"reason": "SUP-3"})), None, now())
        .expect("start");
    assert_eq!(out.decision.verdict(), standin::decision::Verdict::Pending);
    // An ordinary user is not privileged.
    assert_allow(&start(&s, json!({"reason": "SUP-4"})).decision);
}

#[test]
fn st1_fields_a_strict_tenant_names_win_and_permissive_defaults_stay() {
    let (_d, s) = service();
    strict(&s, json!({"max_ttl_seconds": 7200, "idle_timeout_seconds": null}));
    let out = start(&s, json!({"reason": "SUP-5", "ttl_seconds": 7200}));
    assert_eq!(lease(&out.decision).0, 7200);
    assert_eq!(out.session.expect("a session").idle_timeout_seconds, None);

    // A tenant that names no preset keeps what every tenant had.
    let (_d, s) = service();
    let out = start(&s, json!({}));
    assert_eq!(lease(&out.decision), (3600, 86_400, false));
    let session = out.session.expect("a session");
    assert_eq!(session.idle_timeout_seconds, None);
}
