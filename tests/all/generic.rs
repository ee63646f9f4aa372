//! Generic AuthZEN questions through real components (issue 31): the
//! certification fixture's eight decisions (c-1-4) and searches (S1-S6);
//! components built before `standin:policy@0.5.0` still load and deny
//! generic questions `generic-questions-unsupported`; a policy that panics,
//! loops or answers garbage is a `false` with `policy-error` /
//! `policy-timeout`, never a `true`; an oversized question is refused.

use crate::common::{host, hostile_host};
use serde_json::{Value, json};
use standin::authzen::{MAX_QUESTION_BYTES, Question, SearchKind, UNSUPPORTED};
use standin::decision::codes;
use standin::{POLICY_INTERFACE, POLICY_INTERFACE_0_4, Policy};
use standin_tests::{AUTHZEN_FIXTURE, AUTHZEN_TODO, MISCHIEF, POLICY_0_2, POLICY_0_3, POLICY_0_4, component};

fn fixture() -> Policy {
    host()
        .load(&component(AUTHZEN_FIXTURE), "{}")
        .expect("the fixture loads")
}

fn question(subject: Value, action: Value, resource: Value) -> Question {
    Question {
        subject,
        action,
        resource,
        context: json!({}),
    }
}

fn decide(policy: &Policy, subject: Value, action: Value, resource: Value) -> bool {
    let answer = policy.evaluate_question(&question(subject, action, resource));
    assert!(answer.error.is_none(), "{answer:?}");
    answer.decision
}

#[test]
fn c_1_4_the_fixture_component_gives_the_eight_mandated_decisions() {
    let p = fixture();
    let alice = json!({"type": "user", "id": "alice"});
    let bob = json!({"type": "user", "id": "bob"});
    let record_1 = json!({"type": "record", "id": "record-1"});
    let archived = json!({"type": "record", "id": "record-2", "properties": {"status": "archived"}});
    assert!(
        decide(&p, alice.clone(), json!({"name": "read"}), record_1.clone()),
        "rule 1"
    );
    assert!(
        decide(&p, alice.clone(), json!({"name": "write"}), record_1.clone()),
        "rule 2"
    );
    assert!(
        decide(&p, bob.clone(), json!({"name": "read"}), record_1.clone()),
        "rule 3"
    );
    assert!(!decide(&p, bob, json!({"name": "write"}), record_1.clone()), "rule 4");
    assert!(
        !decide(&p, alice.clone(), json!({"name": "write"}), archived.clone()),
        "rule 5"
    );
    let admin = json!({"type": "user", "id": "bob", "properties": {"role": "admin"}});
    assert!(decide(&p, admin, json!({"name": "write"}), archived), "rule 6");
    let soft = |soft: bool| json!({"name": "delete", "properties": {"soft": soft}});
    assert!(decide(&p, alice.clone(), soft(true), record_1.clone()), "rule 7");
    assert!(!decide(&p, alice, soft(false), record_1), "rule 8");
}

#[test]
fn c_1_5_the_fixture_component_searches_s1_to_s6() {
    let p = fixture();
    let search = |kind, subject: Value, action: Value, resource: Value| -> Vec<String> {
        p.search(kind, &question(subject, action, resource)).expect("searches")
    };
    let user = json!({"type": "user"});
    let record = json!({"type": "record"});
    let read = json!({"name": "read"});
    let write = json!({"name": "write"});
    let alice = json!({"type": "user", "id": "alice"});
    let admin = json!({"type": "user", "id": "bob", "properties": {"role": "admin"}});
    let record_1 = json!({"type": "record", "id": "record-1"});
    let archived = json!({"type": "record", "id": "record-2", "properties": {"status": "archived"}});
    assert_eq!(
        search(SearchKind::Subject, user.clone(), read.clone(), record_1.clone()),
        ["alice", "bob"],
        "S1"
    );
    assert!(
        search(SearchKind::Resource, alice.clone(), read, record.clone()).contains(&"record-1".to_string()),
        "S2"
    );
    assert_eq!(
        search(SearchKind::Action, alice, json!({}), record_1),
        ["read", "write"],
        "S3"
    );
    assert_eq!(
        search(SearchKind::Subject, user, write.clone(), archived.clone()),
        ["bob"],
        "S4"
    );
    assert_eq!(
        search(SearchKind::Resource, admin.clone(), write, record),
        ["record-2"],
        "S5"
    );
    assert!(
        search(SearchKind::Action, admin, json!({}), archived).contains(&"write".to_string()),
        "S6"
    );
    let nobody = json!({"type": "user", "id": "nonexistent-user"});
    assert!(
        search(
            SearchKind::Action,
            nobody,
            json!({}),
            json!({"type": "record", "id": "record-1"})
        )
        .is_empty(),
        "c-4-6-1"
    );
}

#[test]
fn g2_components_built_before_0_5_0_load_and_deny_generic_questions() {
    assert_eq!(POLICY_INTERFACE, "standin:policy/policy@0.7.0");
    assert_eq!(POLICY_INTERFACE_0_4, "standin:policy/policy@0.4.0");
    let q = question(
        json!({"type": "user", "id": "alice"}),
        json!({"name": "read"}),
        json!({"type": "record", "id": "record-1"}),
    );
    for path in [POLICY_0_4, POLICY_0_3, POLICY_0_2] {
        let old = host()
            .load(&component(path), "{}")
            .unwrap_or_else(|e| panic!("{path} loads: {e}"));
        let answer = old.evaluate_question(&q);
        assert!(!answer.decision, "{path}");
        let (code, message) = answer.error.expect("says why");
        assert_eq!(code, UNSUPPORTED, "{path}");
        assert!(message.contains("0.5.0"), "{message}");
        assert_eq!(
            old.search(SearchKind::Subject, &q).expect("no failure"),
            Vec::<String>::new()
        );
    }
    // A component of 0.5.0 that answers no generic questions (the SDK's default).
    let default = host().load_default("{}").expect("loads");
    assert_eq!(
        default.evaluate_question(&q).error.map(|e| e.0).as_deref(),
        Some(UNSUPPORTED)
    );
}

#[test]
fn g3_a_policy_that_panics_loops_or_answers_garbage_is_a_false_never_a_true() {
    let mischief = hostile_host().load(&component(MISCHIEF), "{}").expect("mischief loads");
    let ask = |action: &str| {
        mischief.evaluate_question(&question(
            json!({"type": "user", "id": "u"}),
            json!({"name": action}),
            json!({"type": "doc", "id": "d"}),
        ))
    };
    assert!(
        ask("fine").decision,
        "the control: mischief allows what it does not misbehave on"
    );
    for (action, code) in [
        ("panic", codes::POLICY_ERROR),
        ("recurse", codes::POLICY_ERROR),
        ("loop", codes::POLICY_TIMEOUT),
        ("oom", codes::POLICY_MEMORY),
        ("garbage", codes::POLICY_ERROR),
        ("many", codes::POLICY_ERROR),
    ] {
        let answer = ask(action);
        assert!(!answer.decision, "{action}: {answer:?}");
        assert_eq!(
            answer.error.as_ref().map(|e| e.0.as_str()),
            Some(code),
            "{action}: {answer:?}"
        );
    }
    // A search that fails finds nothing.
    let failed = mischief.search(
        SearchKind::Subject,
        &question(
            json!({"type": "panic"}),
            json!({"name": "read"}),
            json!({"type": "doc", "id": "d"}),
        ),
    );
    assert!(
        failed.is_err() || failed.as_ref().is_ok_and(Vec::is_empty),
        "{failed:?}"
    );
}

#[test]
fn g4_a_question_over_the_cap_is_refused_before_the_policy() {
    let p = fixture();
    let big = "x".repeat(MAX_QUESTION_BYTES);
    let answer = p.evaluate_question(&question(
        json!({"type": "user", "id": "alice", "properties": {"blob": big}}),
        json!({"name": "read"}),
        json!({"type": "record", "id": "record-1"}),
    ));
    assert!(!answer.decision);
    let (code, message) = answer.error.expect("says why");
    assert_eq!(code, codes::INVALID_REQUEST);
    assert!(message.contains(&MAX_QUESTION_BYTES.to_string()), "{message}");
}

#[test]
fn todo_interop_the_component_answers_the_todo_and_gateway_questions() {
    let p = host().load(&component(AUTHZEN_TODO), "{}").expect("loads");
    let rick = "CiRmZDA2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs";
    let beth = "CiRmZDM2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs";
    let todo = json!({"type": "todo", "id": "t", "properties": {"ownerID": "morty@the-citadel.com"}});
    assert!(decide(
        &p,
        json!({"type": "user", "id": rick}),
        json!({"name": "can_delete_todo"}),
        todo.clone()
    ));
    assert!(!decide(
        &p,
        json!({"type": "user", "id": beth}),
        json!({"name": "can_delete_todo"}),
        todo
    ));
    let route = json!({"type": "route", "id": "/todos"});
    assert!(!decide(
        &p,
        json!({"type": "identity", "id": beth}),
        json!({"name": "POST"}),
        route
    ));
}

/// G5: a generic answer is audited like the rest; a tenant whose settings
/// say `"audit_generic_allows": false` keeps its allows out of the trail,
/// never its denies (the fixture component accepts any settings).
#[test]
fn g5_a_tenant_may_turn_auditing_of_generic_allows_off_never_of_denies() {
    use standin::policies::Upload;
    use standin::store::AuditFilter;
    for (settings, allows_audited) in [("{}", true), (r#"{"audit_generic_allows": false}"#, false)] {
        let (_dir, s) = crate::sessions::service();
        let bytes = component(AUTHZEN_FIXTURE);
        let up = Upload {
            tenant: "cert",
            component: Some(&bytes),
            settings,
            activate: true,
            ..Upload::default()
        };
        s.policies().upload(&up, crate::common::now()).expect("upload");
        let ask = |user: &str, action: &str| {
            s.tenant("cert").authzen().evaluate(
                &question(
                    json!({"type": "user", "id": user}),
                    json!({"name": action}),
                    json!({"type": "record", "id": "record-1"}),
                ),
                crate::common::now(),
            )
        };
        assert!(ask("alice", "read").decision, "rule 1");
        assert!(!ask("bob", "write").decision, "rule 4");
        let count = |event: &str| {
            s.tenant("cert")
                .audit()
                .query(&AuditFilter {
                    event: Some(event.to_string()),
                    ..AuditFilter::default()
                })
                .expect("audit")
                .len()
        };
        assert_eq!(count("authzen.allowed"), usize::from(allows_audited), "{settings}");
        assert_eq!(count("authzen.denied"), 1, "{settings}: denies are always audited");
    }
}
