//! Components built against an earlier version of the WIT package keep
//! loading and answering as they did: `standin:policy@0.2.0`, the version
//! before approval, as the default policy's rules built against it
//! (`tests/programs/policy-0-2`) and compared with the built-in policy.

use crate::common::*;
use crate::sessions::{assert_intact, service};
use serde_json::json;
use standin::request::Principal;
use standin::{ApprovalRequest, POLICY_INTERFACE, POLICY_INTERFACE_0_2};
use standin_tests::{POLICY_0_2, component};

#[test]
fn ap1_a_0_2_0_component_answers_every_question_as_the_builtin_policy() {
    assert_eq!(POLICY_INTERFACE, "standin:policy/policy@0.7.0");
    assert_eq!(POLICY_INTERFACE_0_2, "standin:policy/policy@0.2.0");
    let settings = json!({
        "role_levels": {"super_admin": 100, "employee": 10},
        "required_consents": ["privacy-policy"],
        "require_reason": true,
        "notify_changes": ["course.*"]
    })
    .to_string();
    let old = host()
        .load(&component(POLICY_0_2), &settings)
        .expect("a 0.2.0 component loads");
    let new = host().load_default(&settings).expect("loads");
    assert_eq!(old.info().name, "standin-default-0.2");
    assert_ne!(old.digest(), new.digest());
    let starts = [
        start_request(actor(), target(), json!({"reason": "ticket 1"})),
        start_request(actor(), target(), json!({})),
        start_request(
            actor(),
            patch(target(), json!({"active": false, "consents": []})),
            json!({"reason": "x"}),
        ),
        start_request(
            patch(actor(), json!({"roles": ["employee"], "permissions": []})),
            target(),
            json!({"reason": "x"}),
        ),
        start_request(actor(), actor(), json!({"reason": "x", "ttl_seconds": 999_999})),
    ];
    for request in &starts {
        assert_eq!(
            old.evaluate_start(request, now()),
            new.evaluate_start(request, now()),
            "{request:?}"
        );
    }
    for action in [
        "course.view",
        "billing.purchase",
        "report.generate",
        "preferences.set",
        "guide.dismiss",
    ] {
        let request = action_request(action, json!({}));
        assert_eq!(
            old.evaluate_action(&request, now()),
            new.evaluate_action(&request, now()),
            "{action}"
        );
    }
    // 0.2.0 has no approval: nobody may answer for such a component.
    let approver: Principal = serde_json::from_value(json!({"id": "u-9", "active": true})).expect("principal");
    let approval = ApprovalRequest {
        start: starts[0].clone(),
        approver,
    };
    assert_deny(&old.evaluate_approval(&approval, now()), &["approver-not-allowed"]);
}

#[test]
fn ap1_a_tenant_running_a_0_2_0_component_starts_and_guards_sessions() {
    let (_d, s) = service();
    activate_component(&s, &component(POLICY_0_2));
    let out = s
        .sessions()
        .start(&start_request(actor(), target(), json!({})), None, now())
        .expect("start");
    assert_allow(&out.decision);
    let session = out.session.expect("session");
    assert_allow(
        &s.sessions()
            .authorize(&session.id, "course.view", None, now())
            .expect("authorize")
            .decision,
    );
    assert_deny(
        &s.sessions()
            .authorize(&session.id, "billing.purchase", None, now())
            .expect("authorize")
            .decision,
        &["forbidden-action"],
    );
    assert_intact(&s);
}
