//! Scoped sessions (SC1-SC3) and do-not-track (DT1): a start asks for the
//! actions (and resources) the job needs, the policy grants, narrows or
//! refuses it, and the host holds the session to the granted scope
//! whatever any component answers.

use crate::common::*;
use crate::sessions::{req, service, set};
use serde_json::{Value, json};
use standin::Standin;
use standin::policies::Upload;
use standin_tests::{MISCHIEF, component};

fn start(s: &Standin, extra: Value) -> standin::StartOutcome {
    s.sessions().start(&req(extra), None, now()).expect("start")
}

fn scope_of(session: &standin::SessionRecord) -> Value {
    serde_json::to_value(&session.scope).expect("json")
}

fn authorize(s: &Standin, id: &str, action: &str, resource: Option<&str>) -> standin::Decision {
    s.sessions()
        .authorize(id, action, resource, now())
        .expect("authorize")
        .decision
}

#[test]
fn sc1_a_scope_asked_for_is_granted_and_held_to() {
    let (_d, s) = service();
    let scope = json!({"actions": ["report.*", "ticket.comment"], "resources": ["account:17"]});
    let out = start(&s, json!({"scope": scope}));
    assert_allow(&out.decision);
    let session = out.session.expect("a session");
    assert_eq!(scope_of(&session), scope);
    // The session's row keeps it: read back from the store.
    let stored = s.sessions().session(&session.id, now()).expect("read");
    assert_eq!(scope_of(&stored), scope);

    assert_allow(&authorize(&s, &session.id, "report.view", Some("account:17")));
    assert_allow(&authorize(&s, &session.id, "ticket.comment", Some("account:17")));
    assert_deny(
        &authorize(&s, &session.id, "ticket.close", Some("account:17")),
        &["outside-session-scope"],
    );
    assert_deny(
        &authorize(&s, &session.id, "report.view", Some("account:18")),
        &["outside-session-scope"],
    );
    assert_deny(
        &authorize(&s, &session.id, "report.view", None),
        &["outside-session-scope"],
    );
    // Audited as every deny is, with the host's rule.
    let trail = crate::sessions::trail(&s);
    let denied = trail.iter().filter(|e| e.event == "action.denied").count();
    assert_eq!(denied, 3);
}

#[test]
fn sc1_a_scope_wider_than_the_tenant_grants_is_narrowed() {
    let (_d, s) = service();
    set(&s, "acme", json!({"grantable_actions": ["report.view", "ticket.*"]}));
    let out = start(&s, json!({"scope": {"actions": ["report.*", "ticket.comment"]}}));
    assert_allow(&out.decision);
    let session = out.session.expect("a session");
    assert_eq!(
        scope_of(&session),
        json!({"actions": ["report.view", "ticket.comment"]}),
        "report.* narrowed to report.view; ticket.comment kept"
    );
    assert_deny(
        &authorize(&s, &session.id, "report.export", None),
        &["outside-session-scope"],
    );
    assert_allow(&authorize(&s, &session.id, "report.view", None));
}

#[test]
fn sc1_a_scope_beyond_the_grantable_is_refused_when_the_tenant_says_so() {
    let (_d, s) = service();
    set(
        &s,
        "acme",
        json!({"grantable_actions": ["report.view"], "scope_beyond_grantable": "refuse"}),
    );
    let out = start(&s, json!({"scope": {"actions": ["report.*"]}}));
    assert_deny(&out.decision, &["scope-not-grantable"]);
    assert!(out.session.is_none());
    // Narrowing that leaves nothing is a refusal too.
    set(&s, "acme", json!({"grantable_actions": ["report.view"]}));
    let out = start(&s, json!({"scope": {"actions": ["billing.*"]}}));
    assert_deny(&out.decision, &["scope-not-grantable"]);
}

#[test]
fn sc1_a_tenant_may_require_a_scope_on_every_start() {
    let (_d, s) = service();
    set(&s, "acme", json!({"require_scope": true}));
    assert_deny(&start(&s, json!({})).decision, &["scope-required"]);
    assert_allow(&start(&s, json!({"scope": {"actions": ["report.view"]}})).decision);
}

#[test]
fn sc1_without_a_scope_a_session_is_as_before() {
    let (_d, s) = service();
    let out = start(&s, json!({}));
    let session = out.session.expect("a session");
    assert!(session.scope.is_none());
    assert!(!serde_json::to_string(&session).expect("json").contains("\"scope\""));
    assert_allow(&authorize(&s, &session.id, "ticket.close", Some("account:99")));
}

/// A custom component that allows every action and grants no scope: the
/// session still holds to the scope its start asked for.
fn mischief_tenant(s: &Standin) {
    let up = Upload {
        tenant: "acme",
        component: Some(&component(MISCHIEF)),
        settings: "{}",
        activate: true,
        ..Upload::default()
    };
    s.policies().upload(&up, now()).expect("upload mischief");
}

#[test]
fn sc2_an_action_outside_the_scope_is_denied_whatever_the_component_says() {
    let (_d, s) = service();
    mischief_tenant(&s);
    let out = start(&s, json!({"scope": {"actions": ["report.view"]}}));
    assert_allow(&out.decision);
    let session = out.session.expect("a session");
    assert_eq!(scope_of(&session), json!({"actions": ["report.view"]}));
    assert_allow(&authorize(&s, &session.id, "report.view", None));
    assert_deny(
        &authorize(&s, &session.id, "billing.purchase", None),
        &["outside-session-scope"],
    );
    // Several actions in one call are held to it too.
    let call = |action| standin::ActionCall {
        session: &session.id,
        action,
        resource: None,
        now: now(),
    };
    let many = s
        .sessions()
        .authorize_batch(&[call("report.view"), call("user.delete")])
        .expect("a batch");
    assert_allow(&many[0].as_ref().expect("answered").decision);
    assert_deny(
        &many[1].as_ref().expect("answered").decision,
        &["outside-session-scope"],
    );
}

#[test]
fn sc2_a_component_granting_a_wider_scope_is_refused() {
    let (_d, s) = service();
    mischief_tenant(&s);
    let out = start(
        &s,
        json!({"reason": "widen-scope", "scope": {"actions": ["report.view"]}}),
    );
    assert_deny(&out.decision, &["scope-widened"]);
    assert!(out.session.is_none());
}

#[test]
fn sc3_malformed_scopes_are_refused_naming_the_field() {
    let (_d, s) = service();
    for (scope, field) in [
        (json!({"actions": []}), "`scope.actions`"),
        (json!({"actions": ["report.*", ""]}), "`scope.actions[1]`"),
        (json!({"actions": ["report.**"]}), "`scope.actions[0]`"),
        (json!({"actions": ["x".repeat(300)]}), "`scope.actions[0]`"),
        (
            json!({"actions": (0..33).map(|i| format!("a{i}.view")).collect::<Vec<_>>()}),
            "`scope.actions`",
        ),
        (
            json!({"actions": ["report.view"], "resources": ["a\u{202e}b"]}),
            "`scope.resources[0]`",
        ),
    ] {
        let out = start(&s, json!({"scope": scope}));
        assert_deny(&out.decision, &["invalid-request"]);
        let message = &out.decision.reasons()[0].message;
        assert!(message.contains(field), "{field} not named in {message}");
    }
}

#[test]
fn dt1_do_not_track_rides_on_every_allowed_action_when_the_tenant_asks() {
    let (_d, s) = service();
    let plain = start(&s, json!({})).session.expect("a session");
    let allowed = authorize(&s, &plain.id, "course.view", None);
    assert!(!allowed.obligations().iter().any(|o| o == "do-not-track"));
    s.sessions().end(&plain.id, now()).expect("end");

    set(&s, "acme", json!({"do_not_track": true}));
    let session = start(&s, json!({})).session.expect("a session");
    let allowed = authorize(&s, &session.id, "course.view", None);
    assert_allow(&allowed);
    assert!(
        allowed.obligations().iter().any(|o| o == "do-not-track"),
        "{}",
        allowed.to_json()
    );
}

/// `policy diff` replays scoped starts as they were asked: a candidate
/// that grants less than a recorded scope changes that start's decision,
/// and one that requires a scope changes only the unscoped start.
#[test]
fn sc1_a_what_if_replay_asks_recorded_starts_with_their_scope() {
    let (_d, s) = service();
    crate::policies::upload(&s, "acme", json!({}));
    let scoped = start(&s, json!({"scope": {"actions": ["billing.refund"]}}));
    assert_allow(&scoped.decision);
    s.sessions()
        .end(&scoped.session.expect("a session").id, now())
        .expect("end");
    let plain = start(&s, json!({}));
    s.sessions()
        .end(&plain.session.expect("a session").id, now())
        .expect("end");

    let candidate = |settings: Value| {
        let settings = settings.to_string();
        let up = Upload {
            tenant: "acme",
            settings: &settings,
            ..Upload::default()
        };
        s.policies().upload(&up, now()).expect("upload").stored.version
    };
    let required = candidate(json!({"require_scope": true}));
    let r = s.policies().replay("acme", required, None).expect("replay");
    assert_eq!((r.replayed, r.changed), (2, 1));
    assert_eq!(r.changes[0].after.codes, ["scope-required"]);

    let narrow = candidate(json!({"grantable_actions": ["report.*"], "scope_beyond_grantable": "refuse"}));
    let r = s.policies().replay("acme", narrow, None).expect("replay");
    assert_eq!((r.replayed, r.changed), (2, 1));
    assert_eq!(r.changes[0].after.codes, ["scope-not-grantable"]);
}
