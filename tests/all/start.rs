//! Start rules (E1-E10, S1) through the default policy component.

use crate::common::*;
use serde_json::json;

fn betterworks() -> standin::Policy {
    policy(json!({
        "impersonator_roles": ["super_admin", "hr_admin"],
        "role_levels": {"super_admin": 100, "hr_admin": 50, "power_user": 40},
        "scoped_roles": ["hr_admin", "power_user"],
        "required_consents": ["privacy-policy"]
    }))
}

fn hr_admin() -> serde_json::Value {
    patch(
        actor(),
        json!({"id": "u-7", "roles": ["hr_admin"], "permissions": [], "manages": ["dept-sales", "u-99"]}),
    )
}

#[test]
fn e1_actor_needs_the_role_or_the_permission() {
    let p = policy(json!({}));
    let plain = patch(actor(), json!({"roles": ["employee"], "permissions": []}));
    assert_deny(&start(&p, plain, target(), json!({})), &["not-permitted"]);
    let by_permission = patch(actor(), json!({"roles": [], "permissions": ["users.impersonate"]}));
    assert_allow(&start(&p, by_permission, target(), json!({})));
    let by_role = patch(actor(), json!({"permissions": []}));
    assert_allow(&start(&p, by_role, target(), json!({})));
}

#[test]
fn e1_tenant_narrows_to_super_admins_only() {
    let p = policy(json!({"impersonator_roles": ["super_admin"], "impersonate_permission": null}));
    let hr = patch(
        actor(),
        json!({"roles": ["hr_admin"], "permissions": ["users.impersonate"]}),
    );
    let d = start(&p, hr, target(), json!({}));
    assert_deny(&d, &["not-permitted"]);
    assert_eq!(rules(&d), ["E1"]);
}

#[test]
fn e2_only_active_targets() {
    let p = policy(json!({}));
    let inactive = patch(target(), json!({"active": false}));
    assert_deny(&start(&p, actor(), inactive.clone(), json!({})), &["target-inactive"]);
    let lenient = policy(json!({"require_active": false}));
    assert_allow(&start(&lenient, actor(), inactive, json!({})));
}

#[test]
fn e3_target_must_have_logged_in() {
    let p = policy(json!({}));
    let never = patch(target(), json!({"has_logged_in": false}));
    let d = start(&p, actor(), never.clone(), json!({"consent_on_behalf": true}));
    assert_deny(&d, &["target-never-logged-in"]);
    assert_allow(&start(
        &policy(json!({"require_logged_in": false})),
        actor(),
        never,
        json!({}),
    ));
}

#[test]
fn e3_target_must_have_accepted_required_consents() {
    let p = policy(json!({"required_consents": ["privacy-policy", "terms"]}));
    let missing = patch(target(), json!({"consents": ["privacy-policy"]}));
    let d = start(&p, actor(), missing, json!({}));
    assert_deny(&d, &["target-consent-missing"]);
    assert!(d.reasons()[0].message.contains("terms"), "{}", d.to_json());
    assert_allow(&start(&p, actor(), target(), json!({})));
}

#[test]
fn e3_super_admin_accepts_on_behalf_and_must_revert() {
    let p = policy(json!({"required_consents": ["privacy-policy"], "consent_on_behalf_roles": ["super_admin"]}));
    let missing = patch(target(), json!({"consents": []}));
    let d = start(&p, actor(), missing.clone(), json!({"consent_on_behalf": true}));
    assert_allow(&d);
    assert_eq!(
        d.grant().map(|g| g.obligations.as_slice()),
        Some(&[std::borrow::Cow::Borrowed("revert-consent")][..])
    );
    // Without the offer, the missing consent still denies.
    assert_deny(&start(&p, actor(), missing, json!({})), &["target-consent-missing"]);
}

#[test]
fn e3_power_user_may_not_accept_on_behalf() {
    let p = policy(
        json!({"impersonator_roles": ["super_admin", "power_user"], "required_consents": ["privacy-policy"],
                          "consent_on_behalf_roles": ["super_admin"]}),
    );
    let power_user = patch(actor(), json!({"roles": ["power_user"], "permissions": []}));
    let missing = patch(target(), json!({"consents": []}));
    let d = start(&p, power_user, missing, json!({"consent_on_behalf": true}));
    assert_deny(&d, &["target-consent-missing"]);
    assert!(d.reasons()[0].message.contains("may not accept"), "{}", d.to_json());
}

#[test]
fn e4_never_same_or_higher_level() {
    let p = betterworks();
    let hr_target = patch(target(), json!({"roles": ["hr_admin"]}));
    let super_target = patch(target(), json!({"roles": ["super_admin"]}));
    let hr = patch(hr_admin(), json!({"manages": ["dept-sales"]}));
    assert_deny(
        &start(&p, hr.clone(), hr_target.clone(), json!({})),
        &["target-level-not-lower"],
    );
    assert_deny(
        &start(&p, hr.clone(), super_target.clone(), json!({})),
        &["target-level-not-lower"],
    );
    assert_deny(
        &start(&p, actor(), super_target, json!({})),
        &["target-level-not-lower"],
    );
    assert_allow(&start(&p, actor(), hr_target, json!({})));
    assert_allow(&start(&p, hr, target(), json!({})));
}

#[test]
fn e4_is_off_without_role_levels() {
    let p = policy(json!({}));
    let super_target = patch(target(), json!({"roles": ["super_admin"]}));
    assert_allow(&start(&p, actor(), super_target, json!({})));
}

#[test]
fn e5_scoped_actor_reaches_only_what_it_manages() {
    let p = betterworks();
    // In scope through the target's group, then through the target's id.
    assert_allow(&start(&p, hr_admin(), target(), json!({})));
    let by_id = patch(target(), json!({"id": "u-99", "groups": ["dept-ops"]}));
    assert_allow(&start(&p, hr_admin(), by_id, json!({})));
    let outside = patch(target(), json!({"groups": ["dept-ops"]}));
    assert_deny(
        &start(&p, hr_admin(), outside.clone(), json!({})),
        &["target-out-of-scope"],
    );
    // Unscoped roles reach everyone.
    assert_allow(&start(&p, actor(), outside, json!({})));
}

#[test]
fn e5_domain_must_be_named_and_shared() {
    let p = policy(json!({"require_domain": true}));
    let a = patch(actor(), json!({"domains": ["emea", "apac"]}));
    let t = patch(target(), json!({"domains": ["emea"]}));
    assert_deny(&start(&p, a.clone(), t.clone(), json!({})), &["domain-required"]);
    assert_deny(
        &start(&p, a.clone(), t.clone(), json!({"domain": "apac"})),
        &["domain-not-shared"],
    );
    assert_deny(
        &start(&p, a.clone(), t.clone(), json!({"domain": "amer"})),
        &["domain-not-shared"],
    );
    assert_allow(&start(&p, a, t, json!({"domain": "emea"})));
}

#[test]
fn e6_never_a_target_with_access_the_actor_lacks() {
    let p = policy(json!({"forbid_wider_access": true}));
    let a = patch(
        actor(),
        json!({"permissions": ["users.impersonate", "location:nyc", "course.view"]}),
    );
    let wider = patch(target(), json!({"permissions": ["location:nyc", "report:payroll"]}));
    let d = start(&p, a.clone(), wider.clone(), json!({}));
    assert_deny(&d, &["target-has-wider-access"]);
    assert!(d.reasons()[0].message.contains("report:payroll"), "{}", d.to_json());
    let narrower = patch(target(), json!({"permissions": ["location:nyc"]}));
    assert_allow(&start(&p, a.clone(), narrower, json!({})));
    assert_allow(&start(&policy(json!({})), a, wider, json!({})));
}

#[test]
fn e7_no_impersonation_from_inside_one() {
    let inside = json!({"actor_session": {"id": "s-9", "target": "u-5"}});
    assert_deny(
        &start(&policy(json!({})), actor(), target(), inside.clone()),
        &["nested-impersonation"],
    );
    assert_allow(&start(
        &policy(json!({"allow_nested": true})),
        actor(),
        target(),
        inside,
    ));
}

#[test]
fn e8_not_yourself_and_not_another_tenant() {
    let p = policy(json!({}));
    let me = patch(target(), json!({"id": "u-1"}));
    assert_deny(&start(&p, actor(), me, json!({})), &["self-impersonation"]);
    let foreign = patch(target(), json!({"tenant": "globex"}));
    assert_deny(&start(&p, actor(), foreign, json!({})), &["cross-tenant"]);
    // Omitted tenant is the request's tenant.
    assert_allow(&start(&p, actor(), target(), json!({})));
}

#[test]
fn e9_a_deny_names_every_failing_rule() {
    let p = betterworks();
    let hr = patch(hr_admin(), json!({"manages": []}));
    let t = patch(
        target(),
        json!({"roles": ["super_admin"], "active": false, "has_logged_in": false, "consents": []}),
    );
    let d = start(&p, hr, t, json!({"actor_session": {"id": "s-2", "target": "u-3"}}));
    assert_deny(
        &d,
        &[
            "target-inactive",
            "target-never-logged-in",
            "target-consent-missing",
            "target-level-not-lower",
            "target-out-of-scope",
            "nested-impersonation",
        ],
    );
    assert_eq!(rules(&d), ["E2", "E3", "E3", "E4", "E5", "E7"]);
    // Word for word, as `format!` wrote them before the policy built them
    // with the SDK's `message!`.
    let messages: Vec<&str> = d.reasons().iter().map(|r| r.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "`u-42` is not an active user",
            "`u-42` has never logged in",
            "`u-42` has not accepted `privacy-policy`",
            "`u-42` is at level 100, not below `u-7` at level 50",
            "`u-42` is neither managed by `u-7` nor in a group they manage",
            "`u-7` is already impersonating `u-3` in session `s-2`",
        ]
    );
}

/// One warm instance answers a long run of calls, denies of six reasons
/// and of one, allows between them: every answer is the first one's, word
/// for word. The guest builds a deny's strings in its call arena, emptied
/// only when the next call's request arrives, and the host borrows codes
/// and rules from its vocabulary: an arena emptied before the answer is
/// read, or a wrong word, changes an answer.
#[test]
fn e9_a_warm_instance_answers_call_after_call_word_for_word() {
    let p = betterworks();
    let hr = patch(hr_admin(), json!({"manages": []}));
    let many = patch(
        target(),
        json!({"roles": ["super_admin"], "active": false, "has_logged_in": false, "consents": []}),
    );
    let nested = json!({"actor_session": {"id": "s-2", "target": "u-3"}});
    let far = patch(
        target(),
        json!({"id": format!("u-{}", "9".repeat(200)), "groups": ["dept-x"]}),
    );
    let calls = [
        (hr.clone(), many, nested),
        (hr_admin(), target(), json!({})),
        (hr, far, json!({})),
    ];
    let first: Vec<String> = calls
        .iter()
        .map(|(a, t, extra)| start(&p, a.clone(), t.clone(), extra.clone()).to_json())
        .collect();
    assert!(
        first[0].contains("nested-impersonation") && first[2].contains(&"9".repeat(200)),
        "{first:?}"
    );
    assert!(first[1].contains("\"allow\""), "{}", first[1]);
    for round in 0..100 {
        for ((a, t, extra), expected) in calls.iter().zip(&first) {
            let answer = start(&p, a.clone(), t.clone(), extra.clone()).to_json();
            assert_eq!(&answer, expected, "round {round}");
        }
    }
}

#[test]
fn e10_tenant_can_require_a_reason() {
    let p = policy(json!({"require_reason": true}));
    assert_deny(&start(&p, actor(), target(), json!({})), &["reason-required"]);
    // A blank reason is no reason, and not a valid text either (the host
    // refuses surrounding whitespace before the policy is asked).
    assert_deny(
        &start(&p, actor(), target(), json!({"reason": "  "})),
        &["invalid-request"],
    );
    assert_allow(&start(&p, actor(), target(), json!({"reason": "ticket SUP-1234"})));
    assert_allow(&start(&policy(json!({})), actor(), target(), json!({})));
}

#[test]
fn s1_ttl_is_requested_or_default_and_never_past_the_maximum() {
    let p = policy(json!({"default_ttl_seconds": 1800, "max_ttl_seconds": 7200}));
    let d = start(&p, actor(), target(), json!({}));
    assert_eq!(
        (
            d.lease().map(|l| l.ttl_seconds()),
            d.lease().map(|l| l.max_ttl_seconds())
        ),
        (Some(1800), Some(7200)),
        "{}",
        d.to_json()
    );
    assert_eq!(
        start(&p, actor(), target(), json!({"ttl_seconds": 600}))
            .lease()
            .map(|l| l.ttl_seconds()),
        Some(600)
    );
    assert_eq!(
        start(&p, actor(), target(), json!({"ttl_seconds": 90000}))
            .lease()
            .map(|l| l.ttl_seconds()),
        Some(7200)
    );
    let defaults = start(&policy(json!({})), actor(), target(), json!({}));
    assert_eq!(
        (
            defaults.lease().map(|l| l.ttl_seconds()),
            defaults.lease().map(|l| l.max_ttl_seconds())
        ),
        (Some(3600), Some(86400))
    );
}

#[test]
fn s1_allow_carries_the_tenants_grant() {
    let d = start(
        &policy(json!({"notify_target": false, "read_only": true})),
        actor(),
        target(),
        json!({}),
    );
    assert_allow(&d);
    assert_eq!(
        (d.lease().map(|l| l.notify_target()), d.lease().map(|l| l.read_only())),
        (Some(false), Some(true))
    );
    assert_eq!(d.grant().map(|g| g.obligations.as_slice()), Some(&[][..]));
    let d = start(&policy(json!({})), actor(), target(), json!({}));
    assert_eq!(
        (d.lease().map(|l| l.notify_target()), d.lease().map(|l| l.read_only())),
        (Some(true), Some(false))
    );
}
