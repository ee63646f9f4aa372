//! Settings of the default policy: defaults per docs/contract.md, and nonsense
//! refused at load with every problem named.

use crate::common::*;
use serde_json::json;
use standin::LoadError;

fn refused(settings: serde_json::Value) -> Vec<String> {
    match host().load_default(&settings.to_string()) {
        Err(LoadError::Settings(problems)) => problems,
        other => panic!("expected settings refused, got {other:?}"),
    }
}

#[test]
fn settings_unknown_field_is_refused() {
    let problems = refused(json!({"impersonator_role": ["super_admin"]}));
    assert!(
        problems[0].contains("unknown field `impersonator_role`"),
        "{problems:?}"
    );
}

#[test]
fn settings_wrong_type_is_refused() {
    let problems = refused(json!({"max_ttl_seconds": "one day"}));
    assert!(problems[0].contains("invalid type"), "{problems:?}");
    refused(json!({"role_levels": {"super_admin": -1}}));
}

#[test]
fn settings_s1_maximum_above_24_hours_is_refused() {
    let problems = refused(json!({"max_ttl_seconds": 86401}));
    assert!(
        problems
            .iter()
            .any(|p| p.contains("`max_ttl_seconds`") && p.contains("86400")),
        "{problems:?}"
    );
}

#[test]
fn settings_s1_default_above_maximum_is_refused() {
    let problems = refused(json!({"default_ttl_seconds": 7200, "max_ttl_seconds": 3600}));
    assert!(
        problems.iter().any(|p| p.contains("`default_ttl_seconds`")),
        "{problems:?}"
    );
    refused(json!({"default_ttl_seconds": 0}));
}

#[test]
fn settings_bad_patterns_are_refused() {
    for bad in ["", "billing .*", "billing.**"] {
        let problems = refused(json!({"forbidden_actions": ["esign.*", bad]}));
        assert!(problems[0].contains("`forbidden_actions[1]`"), "{bad:?}: {problems:?}");
    }
}

#[test]
fn settings_empty_names_are_refused() {
    let problems = refused(json!({"impersonator_roles": [""], "impersonate_permission": ""}));
    assert_eq!(problems.len(), 2, "{problems:?}");
}

#[test]
fn settings_every_problem_is_named_at_once() {
    let problems = refused(json!({"max_ttl_seconds": 100000, "read_actions": ["a b"], "scoped_roles": [" "]}));
    assert_eq!(problems.len(), 3, "{problems:?}");
}

#[test]
fn settings_defaults_follow_the_contract() {
    let p = policy(json!({}));
    // impersonator_roles defaults to super_admin only; the permission still counts.
    let hr = patch(actor(), json!({"roles": ["hr_admin"], "permissions": []}));
    assert_deny(&start(&p, hr, target(), json!({})), &["not-permitted"]);
    // Default forbidden, reserved, delivered and ephemeral actions.
    assert_deny(&action(&p, "esign.sign", json!({})), &["forbidden-action"]);
    assert_deny(&action(&p, "guide.dismiss", json!({})), &["reserved-for-target"]);
    assert_eq!(
        action(&p, "report.run", json!({}))
            .grant()
            .map(|g| g.obligations.as_slice()),
        Some(&[std::borrow::Cow::Borrowed("deliver-to-target")][..])
    );
}

#[test]
fn describe_names_the_rules_the_default_policy_covers() {
    let info = policy(json!({})).info().clone();
    assert_eq!(info.name, "standin-default");
    for rule in [
        "E1", "E2", "E3", "E4", "E5", "E6", "E7", "E8", "E9", "E10", "S1", "F1", "F2", "F3", "F4", "F5", "F6",
    ] {
        assert!(
            info.rules.iter().any(|r| r == rule),
            "{rule} missing from {:?}",
            info.rules
        );
    }
}
