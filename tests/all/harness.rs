//! The policy test harness (`standin::harness`): suites resolve into real
//! requests, answers are compared field by field, coverage is counted, and a
//! malformed suite is an error naming the file and case.

use crate::common::host;
use standin::harness::{self, Suite, SuiteError, SuiteReport};
use std::path::{Path, PathBuf};

fn parse(json: serde_json::Value) -> Result<Suite, SuiteError> {
    Suite::parse(&json.to_string(), Path::new("inline.json"))
}

fn run(suite: &Suite, filter: Option<&str>) -> SuiteReport {
    let policy = host().load_default(&suite.settings).expect("settings accepted");
    harness::run(&policy, suite, filter)
}

fn suite(cases: serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "name": "t", "tenant": "acme", "now": "2026-11-21T10:00:00Z",
        "settings": {"require_reason": true},
        "principals": {
            "admin": {"id": "u-1", "roles": ["super_admin"], "active": true, "has_logged_in": true},
            "user": {"id": "u-2", "active": true, "has_logged_in": true}
        },
        "cases": cases
    })
}

#[test]
fn harness_passing_and_failing_cases_with_a_field_diff() {
    let s = parse(suite(serde_json::json!([
        {"name": "needs a reason", "rules": ["E10"], "start": {"actor": "admin", "target": "user"},
         "expect": {"decision": "deny", "codes": ["reason-required"]}},
        {"name": "wrong ttl", "start": {"actor": "admin", "target": "user", "reason": "SUP-1"},
         "expect": {"decision": "allow", "ttl_seconds": 60}},
        {"name": "wrong codes", "action": {"session": {"actor": "admin", "target": "user"}, "action": "esign.sign"},
         "expect": {"decision": "deny", "codes": ["reserved-for-target"]}}
    ])))
    .expect("valid suite");
    let report = run(&s, None);
    assert_eq!((report.passed(), report.failed()), (1, 2));
    let ttl = &report.cases[1].mismatches;
    assert_eq!(
        (ttl[0].field, ttl[0].expected.as_str(), ttl[0].actual.as_str()),
        ("ttl_seconds", "60", "3600")
    );
    let codes = &report.cases[2].mismatches;
    assert_eq!(codes[0].field, "codes");
    assert_eq!(codes[0].actual, r#"["forbidden-action"]"#);
}

#[test]
fn harness_coverage_names_exercised_and_uncovered_rules() {
    let s = parse(suite(serde_json::json!([
        {"name": "needs a reason", "rules": ["E10"], "start": {"actor": "admin", "target": "user"},
         "expect": {"decision": "deny", "codes": ["reason-required"]}}
    ])))
    .expect("valid suite");
    let c = run(&s, None).coverage;
    assert!(c.rules.contains("E10") && c.rules.contains("E9"), "{c:?}");
    assert!(c.codes.contains("reason-required"));
    assert!(
        c.uncovered_rules.iter().any(|r| r == "F1") && !c.uncovered_rules.iter().any(|r| r == "E10"),
        "{c:?}"
    );
}

#[test]
fn harness_filter_selects_cases_by_name() {
    let s = parse(suite(serde_json::json!([
        {"name": "Alpha", "start": {"actor": "admin", "target": "user"}, "expect": {"decision": "deny"}},
        {"name": "beta", "start": {"actor": "admin", "target": "user"}, "expect": {"decision": "allow"}}
    ])))
    .expect("valid suite");
    let report = run(&s, Some("ALPH"));
    assert_eq!(report.cases.len(), 1);
    assert!(report.cases[0].passed);
}

#[test]
fn harness_session_times_default_to_now_and_an_hour_later() {
    let s = parse(suite(serde_json::json!([
        {"name": "just inside", "action": {"session": {"actor": "admin", "target": "user"}, "action": "course.view",
         "now": "2026-11-21T10:59:59Z"}, "expect": {"decision": "allow"}},
        {"name": "at the deadline", "action": {"session": {"actor": "admin", "target": "user"}, "action": "course.view",
         "now": "2026-11-21T11:00:00Z"}, "expect": {"decision": "deny", "codes": ["session-expired"]}}
    ])))
    .expect("valid suite");
    let report = run(&s, None);
    assert_eq!(report.failed(), 0, "{report:?}");
}

#[track_caller]
fn malformed(cases: serde_json::Value, needle: &str) {
    match parse(suite(cases)) {
        Err(e @ SuiteError::Case { .. }) => {
            let message = e.to_string();
            assert!(message.contains("inline.json") && message.contains(needle), "{message}");
        }
        other => panic!("expected a case error containing {needle:?}, got {other:?}"),
    }
}

#[test]
fn harness_malformed_suites_are_errors_naming_file_and_case() {
    let start = serde_json::json!({"actor": "admin", "target": "user"});
    malformed(
        serde_json::json!([{"name": "c", "start": {"actor": "nobody", "target": "user"},
        "expect": {"decision": "deny"}}]),
        "unknown principal `nobody`",
    );
    malformed(serde_json::json!([{"name": "c", "start": start}]), "missing `expect`");
    malformed(
        serde_json::json!([{"name": "c", "start": {"actor": "admin", "target": "user", "now": "noon"},
        "expect": {"decision": "deny"}}]),
        "`now` is not an RFC 3339 time",
    );
    malformed(
        serde_json::json!([{"name": "c", "start": start, "expect": {"decision": "maybe"}}]),
        "`expect`",
    );
    malformed(
        serde_json::json!([{"name": "c", "expect": {"decision": "deny"}}]),
        "missing `start`, `action` or `approval`",
    );
    malformed(
        serde_json::json!([{"start": start, "expect": {"decision": "deny"}}]),
        "missing `name`",
    );
    let bad_now = serde_json::json!({"name": "t", "now": "yesterday", "cases": []});
    assert!(matches!(parse(bad_now), Err(SuiteError::Invalid { .. })));
}

/// Every suite shipped in `examples/`.
pub fn shipped_suites() -> Vec<PathBuf> {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut suites = Vec::new();
    for dir in ["suites", "products"] {
        let Ok(entries) = std::fs::read_dir(examples.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                suites.extend(Some(path.join("suite.json")).filter(|p| p.exists()));
            } else if path.extension().is_some_and(|e| e == "json") {
                suites.push(path);
            }
        }
    }
    suites.sort();
    suites
}

#[test]
fn harness_every_shipped_suite_passes() {
    let suites = shipped_suites();
    assert!(!suites.is_empty());
    for path in suites {
        let suite = Suite::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let report = run(&suite, None);
        let failures: Vec<_> = report.cases.iter().filter(|c| !c.passed).collect();
        assert!(failures.is_empty(), "{}: {failures:#?}", path.display());
        assert!(!report.cases.is_empty(), "{} has no cases", path.display());
    }
}

#[test]
fn harness_custom_policy_passes_its_own_suite() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/policies/business-hours");
    let suite = Suite::load(&dir.join("suite.json")).unwrap_or_else(|e| panic!("{e}"));
    let component = standin_tests::component(standin_tests::BUSINESS_HOURS);
    let policy = host().load(&component, &suite.settings).expect("loads");
    assert_eq!(policy.info().name, "business-hours");
    let report = harness::run(&policy, &suite, None);
    let failures: Vec<_> = report.cases.iter().filter(|c| !c.passed).collect();
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(
        report.coverage.uncovered_rules.is_empty(),
        "{:?}",
        report.coverage.uncovered_rules
    );
    // The same suite against the built-in policy fails: the rules differ.
    let default = host().load_default("{}").expect("loads");
    assert!(harness::run(&default, &suite, None).failed() > 0);
}

#[test]
fn harness_generic_question_cases_run_the_authzen_fixture_suite() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/policies/authzen-fixture");
    let suite = Suite::load(&dir.join("suite.json")).unwrap_or_else(|e| panic!("{e}"));
    let component = standin_tests::component(standin_tests::AUTHZEN_FIXTURE);
    let policy = host().load(&component, &suite.settings).expect("loads");
    let report = harness::run(&policy, &suite, None);
    let failures: Vec<_> = report.cases.iter().filter(|c| !c.passed).collect();
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(
        report.coverage.uncovered_rules.is_empty(),
        "{:?}",
        report.coverage.uncovered_rules
    );
    // Against the built-in policy, which answers no generic questions, the
    // allows fail: each a deny saying so.
    let default = host().load_default("{}").expect("loads");
    let against_default = harness::run(&default, &suite, Some("rule 1"));
    assert_eq!(against_default.failed(), 1);
    assert!(
        against_default.cases[0]
            .actual
            .codes()
            .any(|c| c == "generic-questions-unsupported")
    );
}

#[test]
fn non_string_attributes_reach_the_policy_as_json_text() {
    let component = standin_tests::component(standin_tests::BUSINESS_HOURS);
    let policy = host().load(&component, "{}").expect("loads");
    let actor = serde_json::json!({"id": "u-1", "permissions": ["users.impersonate"]});
    // `true`, not `"true"`: the policy reads the attribute as the text `true`.
    let target = serde_json::json!({"id": "u-2", "attributes": {"vip": true, "business_hours": "00:00-23:59"}});
    let decision = crate::common::start(
        &policy,
        actor,
        target,
        serde_json::json!({"reason": "SUP-1", "now": "2026-11-23T10:00:00Z"}),
    );
    assert_eq!(
        crate::common::codes(&decision),
        ["target-is-vip"],
        "{}",
        decision.to_json()
    );
}

#[test]
fn input_a_suites_settings_file_is_read_through_a_cap() {
    let dir = tempfile::tempdir().expect("temp dir");
    let suite = dir.path().join("suite.json");
    std::fs::write(&suite, r#"{"name": "s", "settings_file": "/dev/zero", "cases": []}"#).expect("write");
    let err = Suite::load(&suite).expect_err("over the cap");
    assert!(err.to_string().contains("over the cap"), "{err}");
}
