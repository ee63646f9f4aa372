//! Fail closed against hostile policies and input: what the host enforces
//! whatever a component or a caller says (docs/contract.md, "Hardening
//! rules"). Artifacts and T1 are in `policies.rs`; the CLI's edges in
//! `cli/tests/cli`.

use crate::common::*;
use crate::sessions::{at, service, started, trail};
use serde_json::json;
use standin::model::Notifications;
use standin::policies::Upload;
use standin::store::AuditFilter;
use standin::{SessionError, Standin, StartRequest};
use standin_tests::{MISCHIEF, component};

/// A tenant `acme` whose policy allows everything (the mischief component
/// allows whatever names no mischief).
fn allow_everything() -> (tempfile::TempDir, Standin) {
    let (dir, s) = service();
    let mischief = component(MISCHIEF);
    let up = Upload {
        tenant: "acme",
        component: Some(&mischief),
        settings: "{}",
        activate: true,
        ..Upload::default()
    };
    s.policies().upload(&up, now()).expect("upload");
    (dir, s)
}

fn request(value: serde_json::Value) -> StartRequest {
    serde_json::from_value(value).expect("request")
}

#[test]
fn e8_an_allow_everything_policy_cannot_grant_self_or_cross_tenant_impersonation() {
    let (_d, s) = allow_everything();
    let ok = s
        .sessions()
        .start(&req_of("u-1", None, "u-2", None), None, now())
        .expect("start");
    assert_allow(&ok.decision);
    s.sessions().end(&ok.session.expect("session").id, now()).expect("end");
    for (actor, actor_tenant, target, target_tenant, code) in [
        ("u-1", None, "u-1", None, "self-impersonation"),
        ("u-1", None, "U-1", None, "self-impersonation"),
        ("u-1", Some("globex"), "u-2", None, "cross-tenant"),
        ("u-1", None, "u-2", Some("globex"), "cross-tenant"),
    ] {
        let out = s
            .sessions()
            .start(&req_of(actor, actor_tenant, target, target_tenant), None, now())
            .expect("answered");
        assert!(out.session.is_none(), "{actor} -> {target}");
        assert_deny(&out.decision, &[code]);
        assert_eq!(out.decision.reasons()[0].rule, "E8");
        assert!(out.decision.diagnostics().iter().any(|d| d.contains("breaks E8")));
    }
    // Nested: the actor holds a session, and the policy allows nesting.
    let outer = s
        .sessions()
        .start(&req_of("u-1", None, "u-2", None), None, now())
        .expect("start");
    assert_allow(&outer.decision);
    let nested = s
        .sessions()
        .start(&req_of("u-1", None, "u-1", None), None, now())
        .expect("answered");
    assert_deny(&nested.decision, &["self-impersonation"]);
    // The stateless check says the same.
    let policy = standin::Host::new()
        .expect("host")
        .load(&component(MISCHIEF), "{}")
        .expect("load");
    assert_deny(
        &policy.evaluate_start(&req_of("u-1", None, "u-1", None), now()),
        &["self-impersonation"],
    );
    let denied = s
        .audit()
        .query(&AuditFilter {
            event: Some("session.denied".to_string()),
            ..AuditFilter::default()
        })
        .expect("audit");
    assert_eq!(denied.len(), 5, "each refusal is audited");
}

fn req_of(actor: &str, actor_tenant: Option<&str>, target: &str, target_tenant: Option<&str>) -> StartRequest {
    let mut a = json!({"id": actor, "roles": ["super_admin"], "active": true, "has_logged_in": true});
    let mut t = json!({"id": target, "active": true, "has_logged_in": true});
    if let Some(tenant) = actor_tenant {
        a["tenant"] = json!(tenant);
    }
    if let Some(tenant) = target_tenant {
        t["tenant"] = json!(tenant);
    }
    request(json!({"tenant": "acme", "actor": a, "target": t}))
}

#[test]
fn e8_the_built_in_policy_and_the_host_agree_on_a_case_variant_of_the_same_id() {
    let p = policy(json!({}));
    let d = start(&p, actor(), patch(target(), json!({"id": "U-1"})), json!({}));
    assert_deny(&d, &["self-impersonation"]);
}

#[test]
fn input_ids_actions_and_reasons_hold_no_control_characters_or_surrounding_whitespace() {
    let p = policy(json!({}));
    for (field, value) in [
        ("actor", json!({"id": "u-1 "})),
        ("actor", json!({"id": " u-1"})),
        ("actor", json!({"id": "u-1\n"})),
        ("actor", json!({"id": "u\u{0}1"})),
        ("target", json!({"id": "u-42\t"})),
        ("target", json!({"id": "x".repeat(257)})),
    ] {
        let base = if field == "actor" { actor() } else { target() };
        let (a, t) = if field == "actor" {
            (patch(base, value.clone()), target())
        } else {
            (actor(), patch(base, value.clone()))
        };
        assert_deny(&start(&p, a, t, json!({})), &["invalid-request"]);
    }
    // `acme ` is not `acme`: malformed, and another tenant too.
    let t = patch(target(), json!({"tenant": "acme "}));
    assert_deny(&start(&p, actor(), t, json!({})), &["invalid-request", "cross-tenant"]);
    assert_allow(&start(&p, actor(), target(), json!({"reason": "x".repeat(1024)})));
    assert_deny(
        &start(&p, actor(), target(), json!({"reason": "x".repeat(1025)})),
        &["invalid-request"],
    );
    assert_deny(
        &start(&p, actor(), target(), json!({"reason": "SUP-1\r\nforged"})),
        &["invalid-request"],
    );
    // A forbidden action does not become allowed with a space in front.
    assert_deny(&action(&p, " billing.purchase", json!({})), &["invalid-request"]);
    assert_deny(&action(&p, "billing.purchase", json!({})), &["forbidden-action"]);
    assert_deny(&action(&p, "course.view\n", json!({})), &["invalid-request"]);
    assert_deny(&action(&p, &"a".repeat(257), json!({})), &["invalid-request"]);
    assert_allow(&action(&p, "course.view", json!({})));
}

#[test]
fn input_unknown_fields_are_refused_naming_the_field() {
    let base = json!({"tenant": "acme", "actor": actor(), "target": target()});
    for (value, field) in [
        (patch(base.clone(), json!({"ttl": 60})), "ttl"),
        (
            patch(
                base.clone(),
                json!({"actor": patch(actor(), json!({"is_admin": true}))}),
            ),
            "is_admin",
        ),
    ] {
        let err = serde_json::from_value::<StartRequest>(value).expect_err("refused");
        assert!(err.to_string().contains(&format!("unknown field `{field}`")), "{err}");
    }
}

#[test]
fn settings_must_be_an_object_and_every_problem_is_named() {
    let err = host().load_default("[[\"super_admin\"]]").expect_err("an array");
    assert!(err.to_string().contains("must be a JSON object"), "{err}");
    let err = host()
        .load_default(&json!({"nope": 1, "also_nope": 2, "max_ttl_seconds": "x", "default_ttl_seconds": 0}).to_string())
        .expect_err("refused");
    let standin::LoadError::Settings(problems) = err else {
        panic!("{err}")
    };
    for expected in ["`nope`", "`also_nope`", "`max_ttl_seconds`", "`default_ttl_seconds`"] {
        assert!(
            problems.iter().any(|p| p.contains(expected)),
            "{expected}: {problems:?}"
        );
    }
}

#[test]
fn a2_an_oversized_request_is_recorded_with_its_code_and_digest_not_its_bytes() {
    let (dir, s) = service();
    let huge = "x".repeat(5 << 20);
    let out = s
        .sessions()
        .start(&crate::sessions::req(json!({"reason": huge})), None, now())
        .expect("answered");
    assert_deny(&out.decision, &["invalid-request"]);
    let rows = trail(&s);
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert!(
        row.reason.as_ref().is_some_and(|r| r.len() <= 1024 + 128),
        "the reason is clipped"
    );
    let request = row.request.as_deref().expect("a request record");
    assert!(
        request.len() < 200 && request.contains("\"digest\":\"sha256:"),
        "{request}"
    );
    assert!(row.codes.contains(&"invalid-request".to_string()));
    // An action with a 1 MiB resource: denied, and not stored whole either.
    let session = started(&s, json!({}));
    let big = "r".repeat(1 << 20);
    let d = s
        .sessions()
        .authorize(&session.id, "course.view", Some(&big), now())
        .expect("authorize");
    assert_deny(&d.decision, &["invalid-request"]);
    drop(s);
    let bytes: u64 = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").metadata().expect("meta").len())
        .sum();
    assert!(bytes < 1 << 20, "the database holds {bytes} bytes");
}

#[test]
fn n1_a_template_expands_once_and_no_message_outgrows_its_cap() {
    let (_d, s) = service();
    // A template is capped, and expands in one pass whatever it holds.
    let too_long = Notifications {
        enabled: true,
        started_template: "{reason}".repeat(10_000),
        ended_template: "{actor} ended".to_string(),
    };
    assert!(matches!(
        s.outbox().set_notifications("acme", &too_long),
        Err(SessionError::Invalid(_))
    ));
    s.outbox()
        .set_notifications(
            "acme",
            &Notifications {
                enabled: true,
                started_template: "{reason}".repeat(1_000),
                ended_template: "{".repeat(8_000),
            },
        )
        .expect("notifications");
    started(&s, json!({"reason": format!("{{actor}}{}", "y".repeat(1000))}));
    let messages = s.outbox().list(Some("acme"), true).expect("outbox");
    let text = &messages[0].text;
    assert!(
        text.len() <= standin::sessions::MAX_MESSAGE_BYTES + 128,
        "{} bytes",
        text.len()
    );
    assert!(text.starts_with("{actor}yyy"), "a value is not expanded again");
    let session = s.outbox().list(Some("acme"), true).expect("outbox")[0].session.clone();
    s.sessions().end(&session, now()).expect("end");
    let ended = s.outbox().list(Some("acme"), true).expect("outbox");
    assert_eq!(ended[1].text, "{".repeat(8_000), "no placeholder, no change");
}

#[test]
fn s3_no_transition_or_action_before_a_sessions_start_and_the_trail_never_runs_backwards() {
    let (_d, s) = service();
    let a = started(&s, json!({}));
    let before = at("2026-11-21T09:00:00Z");
    let d = s
        .sessions()
        .authorize(&a.id, "course.view", None, before)
        .expect("authorize");
    assert_deny(&d.decision, &["invalid-request"]);
    assert!(matches!(
        s.sessions().end(&a.id, before),
        Err(SessionError::BeforeStart { .. })
    ));
    assert!(matches!(
        s.sessions().extend(&a.id, 60, before),
        Err(SessionError::BeforeStart { .. })
    ));
    assert!(s.sessions().session(&a.id, now()).expect("session").is_active());
    let times: Vec<_> = trail(&s).iter().map(|e| e.at).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    assert_eq!(
        times.last(),
        Some(&now()),
        "the denied action is recorded at the last time"
    );
    crate::sessions::assert_intact(&s);
}

#[test]
fn s2_return_to_is_a_local_path_or_an_origin_the_tenant_allowed() {
    let (_d, s) = service();
    let request = crate::sessions::req(json!({}));
    for bad in [
        "javascript:alert(1)",
        "//evil.example/",
        "https://evil.example/",
        "http://app.example/",
    ] {
        let err = s.sessions().start(&request, Some(bad), now()).expect_err(bad);
        assert!(matches!(err, SessionError::ReturnTo { .. }), "{bad}: {err}");
    }
    assert!(trail(&s).is_empty(), "a refused return_to starts nothing");
    s.access()
        .set_return_origins("acme", &["https://app.example".to_string()])
        .expect("origins");
    let out = s
        .sessions()
        .start(&request, Some("https://app.example/admin/users"), now())
        .expect("allowed origin");
    assert_eq!(
        out.session.expect("session").return_to.as_deref(),
        Some("https://app.example/admin/users")
    );
    assert!(
        s.access()
            .set_return_origins("acme", &["javascript:x".to_string()])
            .is_err()
    );
}

#[test]
fn s2_revoke_needs_a_reason() {
    let (_d, s) = service();
    let a = started(&s, json!({}));
    for blank in ["", "   ", "why\n"] {
        assert!(
            matches!(s.sessions().revoke(&a.id, blank, now()), Err(SessionError::Invalid(_))),
            "{blank:?}"
        );
    }
    assert!(s.sessions().revoke(&a.id, "security review", now()).is_ok());
}

#[test]
fn a1_text_that_is_not_utf8_in_the_database_is_a_broken_trail_not_a_panic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    let s = crate::sessions::open(&db);
    let a = started(&s, json!({}));
    s.sessions()
        .authorize(&a.id, "course.view", None, now())
        .expect("authorize");
    let conn = rusqlite::Connection::open(&db).expect("sqlite");
    conn.execute("UPDATE audit SET actor = CAST(x'ff' AS TEXT) WHERE seq = 2", [])
        .expect("tamper");
    conn.execute("UPDATE sessions SET target = CAST(x'c3' AS TEXT)", [])
        .expect("tamper");
    let s = crate::sessions::open(&db);
    let chains = s.audit().verify(Some("acme")).expect("verify answers");
    let broken = chains[0].broken.as_ref().expect("broken");
    assert_eq!(broken.seq, 2, "{broken}");
    assert!(broken.problem.contains("`actor`"), "{broken}");
    let err = s.sessions().session(&a.id, now()).expect_err("unreadable session");
    assert!(err.to_string().contains("`target`"), "{err}");
    conn.execute("UPDATE audit SET tenant = CAST(x'fe' AS TEXT) WHERE seq = 1", [])
        .expect("tamper");
    let chains = s.audit().verify(None).expect("verify answers");
    assert!(chains.iter().any(|c| c.broken.is_some()), "{chains:?}");
}

#[test]
fn f1_zero_width_action_is_refused() {
    let p = policy(json!({}));
    assert_deny(&action(&p, "billing.purchase", json!({})), &["forbidden-action"]);
    // Format and invisible characters: each would make a second spelling
    // of `billing.purchase` that `billing.*` does not match.
    for hidden in [
        "bill\u{200b}ing.purchase",
        "\u{feff}billing.purchase",
        "billing.purchase\u{200d}",
        "billing\u{00ad}.purchase",
        "billing.\u{2060}purchase",
        "billing.purchase\u{fe0f}",
        "\u{202e}billing.purchase",
        "billing.purchase\u{e0001}",
    ] {
        assert_deny(&action(&p, hidden, json!({})), &["invalid-request"]);
    }
    // Not only forbidden actions: any action, and its resource.
    assert_deny(&action(&p, "course\u{200b}.view", json!({})), &["invalid-request"]);
    let mut request = action_request("course.view", json!({}));
    request.resource = Some("course-17\u{2066}".to_string());
    assert_deny(&p.evaluate_action(&request, now()), &["invalid-request"]);
    // Letters of other scripts are text, not mischief.
    assert_allow(&action(&p, "cours.élève.view", json!({})));
}

#[test]
fn f1_compatibility_forms_in_an_action_are_refused() {
    let p = policy(json!({}));
    for look_alike in [
        "ｂilling.purchase",       // fullwidth b
        "billing．purchase",       // fullwidth full stop
        "billing\u{2024}purchase", // one dot leader
        "𝐛illing.purchase",        // mathematical bold b
        "ﬁle.delete",              // the fi ligature
        "billing.purchaſe",        // long s
    ] {
        let d = action(&p, look_alike, json!({}));
        assert_deny(&d, &["invalid-request"]);
        assert!(d.reasons()[0].message.contains("NFKC"), "{}", d.to_json());
    }
}

#[test]
fn f1_uppercase_action_is_refused() {
    let p = policy(json!({}));
    for shouted in ["BILLING.purchase", "Billing.purchase", "billing.PURCHASE", "ÉLÈVE.view"] {
        let d = action(&p, shouted, json!({}));
        assert_deny(&d, &["invalid-request"]);
        assert!(d.reasons()[0].message.contains("uppercase"), "{}", d.to_json());
    }
}

#[test]
fn e8_zero_width_self_is_refused() {
    // The host's E8 under a policy that allows everything: an invisible
    // character does not make `u-1` someone else.
    let (_d, s) = allow_everything();
    for myself in [
        "u-1\u{200b}",
        "u\u{200b}-1",
        "\u{feff}u-1",
        "u-1\u{2063}",
        "u\u{00ad}-1",
    ] {
        let out = s
            .sessions()
            .start(&req_of("u-1", None, myself, None), None, now())
            .expect("answered");
        assert!(out.session.is_none(), "{myself:?}");
        assert_deny(&out.decision, &["invalid-request"]);
    }
    // The stateless check with the built-in policy says the same.
    let p = policy(json!({}));
    let d = start(&p, actor(), patch(target(), json!({"id": "u-1\u{200b}"})), json!({}));
    assert_deny(&d, &["invalid-request"]);
}

#[test]
fn e8_fullwidth_self_is_refused() {
    let (_d, s) = allow_everything();
    for myself in ["ｕ-1", "u－1", "u-１", "𝐮-1", "ⓤ-1", "u\u{00a0}-1"] {
        let out = s
            .sessions()
            .start(&req_of("u-1", None, myself, None), None, now())
            .expect("answered");
        assert!(out.session.is_none(), "{myself:?}");
        assert_deny(&out.decision, &["invalid-request"]);
        assert!(
            out.decision.reasons()[0].message.contains("NFKC"),
            "{}",
            out.decision.to_json()
        );
    }
    // Other scripts' letters stay ids, and E8 compares them up to case.
    let p = policy(json!({}));
    let a = patch(actor(), json!({"id": "ü-1"}));
    assert_allow(&start(&p, a.clone(), target(), json!({})));
    assert_deny(
        &start(&p, a, patch(target(), json!({"id": "Ü-1"})), json!({})),
        &["self-impersonation"],
    );
}

#[test]
fn ap1_zero_width_approver_is_refused() {
    // The mischief policy lets anyone answer; the host still refuses the
    // actor, whatever invisible or compatibility character it hides behind.
    let (_d, s) = allow_everything();
    let out = s
        .sessions()
        .start(
            &request(json!({"tenant": "acme", "reason": "pending",
                "actor": {"id": "u-1", "roles": ["super_admin"], "active": true, "has_logged_in": true},
                "target": {"id": "u-2", "active": true, "has_logged_in": true}})),
            None,
            now(),
        )
        .expect("start");
    let pending = out.session.expect("a pending session");
    assert!(pending.is_pending(), "{:?}", out.decision);
    for myself in ["u-1\u{200b}", "\u{200e}u-1", "ｕ-1"] {
        let approver: standin::request::Principal =
            serde_json::from_value(json!({"id": myself, "roles": ["security_officer"], "active": true}))
                .expect("principal");
        let out = s.sessions().approve(&pending.id, &approver, now()).expect("answer");
        assert_deny(&out.decision, &["invalid-request"]);
        assert!(out.session.is_pending(), "{myself:?}");
    }
    let other: standin::request::Principal =
        serde_json::from_value(json!({"id": "u-3", "active": true})).expect("principal");
    let out = s.sessions().approve(&pending.id, &other, now()).expect("answer");
    assert_allow(&out.decision);
    assert!(out.session.is_active());
}

#[test]
fn settings_a_key_given_twice_is_refused_naming_it() {
    for (settings, key) in [
        (
            r#"{"forbidden_actions": ["billing.*"], "forbidden_actions": []}"#,
            "`forbidden_actions`",
        ),
        (
            r#"{"role_levels": {"super_admin": 100, "employee": 10, "employee": 200}}"#,
            "`role_levels.employee`",
        ),
        (
            r#"{"approval": "never", "read_only": true, "approval": "never"}"#,
            "`approval`",
        ),
    ] {
        let err = host().load_default(settings).expect_err(settings);
        let standin::LoadError::Settings(problems) = err else {
            panic!("{err}")
        };
        assert!(
            problems.iter().any(|p| p.contains("duplicate key") && p.contains(key)),
            "{key}: {problems:?}"
        );
    }
    // Each key once: accepted.
    policy(json!({"forbidden_actions": [], "role_levels": {"super_admin": 100, "employee": 10}}));
}

#[test]
fn s1_a_stateless_session_over_24_hours_is_refused() {
    let p = policy(json!({}));
    let long = json!({"started_at": "2026-11-21T10:00:00Z", "expires_at": "2029-11-21T10:00:00Z"});
    let d = action(&p, "course.view", long);
    assert_deny(&d, &["invalid-request"]);
    assert!(d.reasons()[0].message.contains("S1"), "{}", d.to_json());
    let day = json!({"started_at": "2026-11-21T10:00:00Z", "expires_at": "2026-11-22T10:00:00Z"});
    assert_allow(&action(&p, "course.view", day));
    let longer = json!({"started_at": "2026-11-21T10:00:00Z", "expires_at": "2026-11-22T10:00:01Z"});
    assert_deny(&action(&p, "course.view", longer), &["invalid-request"]);
    let backwards = json!({"started_at": "2026-11-21T10:00:00Z", "expires_at": "2026-11-21T09:00:00Z"});
    assert_deny(&action(&p, "course.view", backwards), &["invalid-request"]);
}

#[test]
fn s3_a_stateless_session_that_has_not_begun_is_refused() {
    let p = policy(json!({}));
    // `now` is 10:05; a session from 10:06 has not begun.
    let later = json!({"started_at": "2026-11-21T10:06:00Z", "expires_at": "2026-11-21T11:00:00Z"});
    let d = action(&p, "course.view", later);
    assert_deny(&d, &["invalid-request"]);
    assert!(d.reasons()[0].message.contains("not begun"), "{}", d.to_json());
    let begun = json!({"started_at": "2026-11-21T10:05:00Z", "expires_at": "2026-11-21T11:00:00Z"});
    assert_allow(&action(&p, "course.view", begun));
}

#[test]
fn e8_a_stateless_session_of_a_user_with_themselves_is_refused() {
    let p = policy(json!({}));
    for myself in ["u-1", "U-1"] {
        let d = action(
            &p,
            "course.view",
            json!({"target": patch(target(), json!({"id": myself}))}),
        );
        assert_deny(&d, &["invalid-request"]);
        assert!(d.reasons()[0].message.contains("E8"), "{}", d.to_json());
    }
}
