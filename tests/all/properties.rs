//! Property tests of everything that parses outside input: requests,
//! settings, suites, and the packed words a policy reads. Each runs a few
//! hundred generated cases in `cargo test` (seconds); `PROPTEST_CASES`
//! raises the count for a longer run.
//!
//! What must hold for any input: no panic; a malformed text is refused
//! (`invalid-request`, a settings problem, a suite error), never allowed.

use crate::common::*;
use proptest::prelude::*;
use serde_json::{Value, json};
use standin::harness::Suite;
use standin_policy_sdk::{ActionRequest, Policy as _, StartRequest};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(256),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Any JSON value, a few levels deep, with the contract's field names
/// among its keys so that generated objects reach past the first check.
fn json_value() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("id".to_string()),
        Just("tenant".to_string()),
        Just("roles".to_string()),
        Just("max_ttl_seconds".to_string()),
        Just("impersonator_roles".to_string()),
        Just("forbidden_actions".to_string()),
        Just("cases".to_string()),
        Just("principals".to_string()),
        "[a-z_]{1,12}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u32>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 32, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// An id as a hostile caller might write it.
fn id() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9-]{1,8}",
        " [a-z0-9-]{1,8}",
        "[a-z0-9-]{1,8}[ \t\n\r\u{0}\u{7f}\u{85}]",
        "[A-Z]-[0-9]",
        ".{0,10}",
    ]
}

fn is_clean(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 256
        && !s.chars().any(char::is_control)
        && !s.starts_with(char::is_whitespace)
        && !s.ends_with(char::is_whitespace)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn words_any_text_and_words_decode_without_panic_and_the_rules_answer(
        text in ".{0,64}",
        words in prop::collection::vec(any::<u64>(), 0..80),
        small in prop::collection::vec(0u64..(1 << 40), 0..80),
    ) {
        let policy = standin_default_policy::DefaultPolicy::configure("{}").expect("defaults");
        for words in [&words, &small] {
            if let Some(r) = StartRequest::read(&text, words) {
                let _ = r.actor.roles.iter().count() + r.target.attributes.iter().count();
                let _ = policy.evaluate_start(&r);
            }
            if let Some(r) = ActionRequest::read(&text, words) {
                let _ = r.session.actor.permissions.iter().count();
                let _ = policy.evaluate_action(&r);
            }
        }
    }

    #[test]
    fn input_a_start_request_with_any_ids_is_refused_unless_clean_and_never_self(
        actor_id in id(),
        target_id in id(),
        tenant in id(),
        reason in prop::option::of(".{0,20}"),
    ) {
        let mut request = json!({
            "tenant": tenant,
            "actor": {"id": actor_id, "roles": ["super_admin"], "active": true, "has_logged_in": true},
            "target": {"id": target_id, "active": true, "has_logged_in": true},
        });
        if let Some(r) = &reason {
            request["reason"] = json!(r);
        }
        let request: standin::StartRequest = serde_json::from_value(request).expect("the form");
        let decision = policy(json!({})).evaluate_start(&request, now());
        let clean = is_clean(&actor_id) && is_clean(&target_id) && is_clean(&tenant)
            && reason.as_deref().is_none_or(is_clean);
        if !clean {
            prop_assert!(decision.codes().any(|c| c == "invalid-request"), "{}", decision.to_json());
        }
        if actor_id.to_lowercase() == target_id.to_lowercase() {
            prop_assert!(!decision.is_allow(), "{}", decision.to_json());
        }
    }

    #[test]
    fn input_any_json_as_a_request_parses_or_is_refused_without_panic(value in json_value()) {
        let text = value.to_string();
        if let Ok(request) = serde_json::from_str::<standin::StartRequest>(&text) {
            let _ = policy(json!({})).evaluate_start(&request, now());
        }
        if let Ok(request) = serde_json::from_str::<standin::ActionRequest>(&text) {
            let _ = policy(json!({})).evaluate_action(&request, now());
        }
    }

    #[test]
    fn settings_any_json_loads_or_is_refused_with_problems(value in json_value()) {
        match host().load_default(&value.to_string()) {
            Ok(_) => prop_assert!(value.is_object()),
            Err(standin::LoadError::Settings(problems)) => prop_assert!(!problems.is_empty()),
            Err(other) => prop_assert!(false, "settings may only be refused, not {other}"),
        }
    }

    #[test]
    fn suite_any_json_or_text_parses_or_is_an_error(value in json_value(), text in ".{0,40}") {
        let path = std::path::Path::new("generated.json");
        let _ = Suite::parse(&value.to_string(), path);
        let _ = Suite::parse(&text, path);
    }
}
