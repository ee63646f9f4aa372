//! Several actions of one session in one policy call (`evaluate-actions`,
//! `Policy::evaluate_actions_in`, and `authorize_batch` on a run of one
//! session's calls): the same decisions as one call per action (F1-F4,
//! S3, S7), for the built-in policy, a `standin:policy@0.3.0` component
//! (asked one call per action) and a hostile one.

use crate::common::*;
use crate::sessions::{assert_intact, service};
use serde_json::json;
use standin::request::{PackedSession, RequestLimits};
use standin::{ActionCall, ApprovalRequest, Decision, MAX_ACTIONS_PER_CALL, POLICY_INTERFACE_0_3, Policy};
use standin_tests::{MISCHIEF, POLICY_0_3, component};

fn settings() -> String {
    json!({
        "role_levels": {"super_admin": 100, "employee": 10},
        "forbidden_actions": ["billing.*", "user.password.*", "document.esign*"],
        "reserved_for_target": ["profile.delete"],
        "deliver_to_target": ["report.*"],
        "notify_changes": ["course.*"],
        "read_actions": ["*.view"]
    })
    .to_string()
}

/// Allows, each rule's denies, obligations, and actions the host refuses
/// before any policy sees them.
const ACTIONS: [(&str, Option<&str>); 12] = [
    ("course.view", None),
    ("billing.purchase", Some("order-1")),
    ("user.password.reset", None),
    ("document.esign", Some("contract-9")),
    ("profile.delete", None),
    ("report.generate", Some("goals-q4")),
    ("course.edit", Some("c-1")),
    ("", None),
    ("course.view\u{7}", None),
    ("course.view", Some("line\nbreak")),
    ("guide.dismiss", None),
    ("billing.refund", None),
];

fn packed(session: serde_json::Value) -> PackedSession {
    let request = action_request("course.view", session);
    request
        .session
        .pack(&request.tenant, &RequestLimits::default())
        .expect("the session packs")
}

fn obligations(d: &Decision) -> Vec<&str> {
    d.obligations().iter().map(|o| o.as_ref()).collect()
}

fn one_by_one(policy: &Policy, session: &PackedSession, actions: &[(&str, Option<&str>)]) -> Vec<Decision> {
    actions
        .iter()
        .map(|(action, resource)| policy.evaluate_action_in(session, action, *resource, now()))
        .collect()
}

#[test]
fn f1_f2_f3_f4_s3_s7_many_actions_in_one_call_decide_as_one_call_each() {
    let policy = host().load_default(&settings()).expect("loads");
    // (session, whether its own failure denies every action: S3 expired, E8 another tenant)
    for (session, all_denied) in [
        (json!({}), false),
        (json!({"read_only": true}), false),
        (
            json!({"started_at": "2026-11-21T09:00:00Z", "expires_at": "2026-11-21T10:00:00Z"}),
            true,
        ),
        (json!({"target": patch(target(), json!({"tenant": "globex"}))}), true),
    ] {
        let session = packed(session);
        let many = policy.evaluate_actions_in(&session, &ACTIONS, now());
        assert_eq!(many, one_by_one(&policy, &session, &ACTIONS));
        assert_eq!(many.iter().all(|d| !d.is_allow()), all_denied, "{many:?}");
    }
    let open = packed(json!({}));
    let many = policy.evaluate_actions_in(&open, &ACTIONS, now());
    assert_allow(&many[0]);
    assert_deny(&many[1], &["forbidden-action"]);
    assert_eq!(rules(&many[2]), ["F2"]);
    assert_eq!(rules(&many[3]), ["F3"]);
    assert_deny(&many[4], &["reserved-for-target"]);
    assert_eq!(obligations(&many[5]), ["deliver-to-target"]);
    assert_eq!(obligations(&many[6]), ["change-digest"]);
    assert_deny(&many[7], &["invalid-request"]);
    assert_deny(&many[8], &["invalid-request"]);
    assert_deny(&many[9], &["invalid-request"]);
    assert_allow(&many[10]);
    assert_deny(&many[11], &["forbidden-action"]);
}

#[test]
fn f1_more_actions_than_one_call_takes_are_all_decided_in_order() {
    let policy = host().load_default(&settings()).expect("loads");
    let session = packed(json!({}));
    let names: Vec<String> = (0..MAX_ACTIONS_PER_CALL * 2 + 7)
        .map(|i| match i % 3 {
            0 => format!("course.view{i}"),
            1 => format!("billing.item{i}"),
            _ => format!("report.r{i}"),
        })
        .collect();
    let actions: Vec<(&str, Option<&str>)> = names.iter().map(|n| (n.as_str(), None)).collect();
    let many = policy.evaluate_actions_in(&session, &actions, now());
    assert_eq!(many.len(), actions.len());
    assert_eq!(many, one_by_one(&policy, &session, &actions));
    assert_allow(&many[MAX_ACTIONS_PER_CALL * 2 + 1]);
    assert_deny(&many[MAX_ACTIONS_PER_CALL * 2 + 2], &["forbidden-action"]);
}

#[test]
fn f1_ap1_a_0_3_0_component_answers_every_question_as_the_builtin_policy() {
    assert_eq!(POLICY_INTERFACE_0_3, "standin:policy/policy@0.3.0");
    let old = host()
        .load(&component(POLICY_0_3), &settings())
        .expect("a 0.3.0 component loads");
    let new = host().load_default(&settings()).expect("loads");
    assert_eq!(old.info().name, "standin-default-0.3");
    let session = packed(json!({}));
    assert_eq!(
        old.evaluate_actions_in(&session, &ACTIONS, now()),
        new.evaluate_actions_in(&session, &ACTIONS, now())
    );
    let start = start_request(actor(), target(), json!({"reason": "ticket 7"}));
    assert_eq!(old.evaluate_start(&start, now()), new.evaluate_start(&start, now()));
    let approver = serde_json::from_value(json!({"id": "u-9", "active": true})).expect("principal");
    let approval = ApprovalRequest { start, approver };
    assert_eq!(
        old.evaluate_approval(&approval, now()),
        new.evaluate_approval(&approval, now())
    );
}

#[test]
fn f1_a_policy_answering_the_wrong_number_of_decisions_denies_every_action_of_that_call() {
    let policy = host().load(&component(MISCHIEF), "{}").expect("loads");
    let session = packed(json!({}));
    let fine = policy.evaluate_actions_in(
        &session,
        &[("a.one", None), ("a.two", Some("r-2")), ("a.three", None)],
        now(),
    );
    for d in &fine {
        assert_allow(d);
        assert!(obligations(d).contains(&"batch:3"), "{d:?}");
    }
    // Each action arrives with its own resource.
    let resources: Vec<Vec<&str>> = fine
        .iter()
        .map(|d| {
            obligations(d)
                .into_iter()
                .filter(|o| o.starts_with("resource:"))
                .collect()
        })
        .collect();
    assert_eq!(resources, [vec![], vec!["resource:r-2"], vec![]]);
    let broken = policy.evaluate_actions_in(
        &session,
        &[("a.one", None), ("short-answer", None), ("", None), ("a.three", None)],
        now(),
    );
    assert_deny(&broken[0], &["policy-error"]);
    assert_deny(&broken[1], &["policy-error"]);
    assert_deny(&broken[2], &["invalid-request"]);
    assert_deny(&broken[3], &["policy-error"]);
    // The instance that answered wrongly does not spoil the next call.
    assert_allow(&policy.evaluate_action_in(&session, "a.four", None, now()));
}

#[test]
fn a3_f1_authorize_batch_asks_the_policy_once_for_a_run_of_one_sessions_calls() {
    let (_d, s) = service();
    activate_component(&s, &component(MISCHIEF));
    let first = s
        .sessions()
        .start(&start_request(actor(), target(), json!({})), None, now())
        .expect("start")
        .session
        .expect("session");
    let other = patch(actor(), json!({"id": "u-2"}));
    let second = s
        .sessions()
        .start(&start_request(other, target(), json!({})), None, now())
        .expect("start")
        .session
        .expect("session");
    let calls = [
        ActionCall::new(&first.id, "a.one", None, now()),
        ActionCall::new(&first.id, "a.two", Some("r-2"), now()),
        ActionCall::new(&first.id, "a.three", None, now()),
        ActionCall::new(&second.id, "a.four", None, now()),
        ActionCall::new(&first.id, "a.five", None, now()),
        ActionCall::new(&first.id, "a.six", None, now() + chrono::TimeDelta::seconds(1)),
    ];
    let answers = s.sessions().authorize_batch(&calls).expect("batch");
    let batch = |i: usize| -> Option<String> {
        let decision = &answers[i].as_ref().expect("answer").decision;
        assert_allow(decision);
        obligations(decision)
            .into_iter()
            .find(|o| o.starts_with("batch:"))
            .map(String::from)
    };
    // One call for the first three; alone: another session, another second.
    assert_eq!(
        (0..6).map(batch).collect::<Vec<_>>(),
        [Some("batch:3"), Some("batch:3"), Some("batch:3"), None, None, None].map(|b| b.map(String::from))
    );
    let recorded = s.sessions().authorize_batch(&calls[..2]).expect("batch");
    assert!(recorded.iter().all(|a| a.as_ref().is_ok_and(|a| a.decision.is_allow())));
    assert_intact(&s);
}
