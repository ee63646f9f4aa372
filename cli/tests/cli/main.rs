//! The `standin` CLI as platforms and CI scripts see it: JSON on stdout,
//! the reason on stderr, and exit codes that tell deny from failure.

mod approval;
mod audit_output;
mod authoring;
mod authzen;
mod auto_checkpoints;
mod checkpoints;
mod crosscheck;
mod durability;
mod input_caps;
mod outbox;
mod pipe;
mod policies;
mod postgres;
mod principals;
mod read_only;
mod reload;
mod serve;
mod sessions;
mod tokens;
mod usage;
mod webhooks;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

fn standin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_standin"))
        .args(args)
        .current_dir(examples())
        .output()
        .expect("run standin")
}

fn decision(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {out:?}"))
}

fn codes(decision: &Value) -> Vec<&str> {
    decision["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .map(|r| r["code"].as_str().expect("code"))
        .collect()
}

#[test]
fn check_start_allow_prints_the_grant_and_exits_0() {
    let out = standin(&["check", "start", "requests/start-allow.json"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let d = decision(&out);
    assert_eq!(d["decision"], "allow");
    assert_eq!(d["ttl_seconds"], 7200);
    assert_eq!(d["max_ttl_seconds"], 86400);
    assert_eq!(d["notify_target"], true);
    assert_eq!(d["read_only"], false);
    assert_eq!(d["obligations"], serde_json::json!([]));
}

#[test]
fn check_start_deny_lists_every_reason_and_exits_2() {
    let out = standin(&[
        "check",
        "start",
        "--settings",
        "settings/betterworks.json",
        "requests/start-deny.json",
    ]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let d = decision(&out);
    assert_eq!(d["decision"], "deny");
    assert_eq!(
        codes(&d),
        [
            "target-inactive",
            "target-consent-missing",
            "target-level-not-lower",
            "target-out-of-scope"
        ]
    );
    for r in d["reasons"].as_array().expect("reasons") {
        assert!(r["rule"].is_string() && r["message"].is_string(), "{r}");
    }
}

#[test]
fn check_action_forbidden_and_obligations() {
    let out = standin(&["check", "action", "requests/action-purchase.json"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(codes(&decision(&out)), ["forbidden-action"]);
    let out = standin(&["check", "action", "requests/action-report.json"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(decision(&out)["obligations"], serde_json::json!(["deliver-to-target"]));
}

#[test]
fn check_malformed_request_is_an_error_with_an_invalid_request_deny() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"tenant": "acme"}"#).expect("write");
    let out = standin(&["check", "start", bad.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(codes(&decision(&out)), ["invalid-request"]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("missing field `actor`"),
        "{out:?}"
    );
}

#[test]
fn check_every_invalid_request_deny_exits_1_never_2() {
    // Requests of the right form that the host refuses when it checks them
    // (a text rule, a session no host could have started): like a request
    // that does not parse, exit 1 with the deny on stdout and the reason
    // on stderr. Exit 2 is a deny of a valid request.
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(examples().join("requests/action-purchase.json")).expect("read");
    let purchase: Value = serde_json::from_str(&text).expect("json");
    let mut session_of_self = purchase.clone();
    session_of_self["session"]["target"]["id"] = "u-1".into();
    let mut years = purchase.clone();
    years["session"]["expires_at"] = "2030-11-21T11:00:00Z".into();
    for (name, request, stderr) in [
        (
            "zero-width",
            patch_action(&purchase, "bill\u{200b}ing.purchase"),
            "U+200B",
        ),
        ("uppercase", patch_action(&purchase, "BILLING.purchase"), "uppercase"),
        ("newline", patch_action(&purchase, "course.view\n"), "control character"),
        ("self", session_of_self, "E8"),
        ("years", years, "S1"),
    ] {
        let file = dir.path().join(format!("{name}.json"));
        std::fs::write(&file, request.to_string()).expect("write");
        let out = standin(&["check", "action", file.to_str().expect("path")]);
        assert_eq!(out.status.code(), Some(1), "{name}: {out:?}");
        let d = decision(&out);
        assert_eq!(d["decision"], "deny", "{name}");
        assert_eq!(codes(&d), ["invalid-request"], "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("error: ") && err.contains(stderr), "{name}: {err}");
    }
    // A deny of a valid request still exits 2.
    let out = standin(&["check", "action", "requests/action-purchase.json"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

fn patch_action(request: &Value, action: &str) -> Value {
    let mut request = request.clone();
    request["action"] = action.into();
    request
}

#[test]
fn check_settings_nonsense_is_an_error_naming_the_field() {
    let dir = tempfile::tempdir().expect("tempdir");
    let settings = dir.path().join("s.json");
    std::fs::write(&settings, r#"{"max_ttl_seconds": 90000}"#).expect("write");
    let out = standin(&[
        "check",
        "start",
        "--settings",
        settings.to_str().expect("path"),
        "requests/start-allow.json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(out.stdout.is_empty());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("`max_ttl_seconds`"),
        "{out:?}"
    );
}

#[test]
fn check_unloadable_policy_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let policy = dir.path().join("p.wasm");
    std::fs::write(&policy, b"\0asm\x01\0\0\0").expect("write");
    let out = standin(&[
        "check",
        "start",
        "--policy",
        policy.to_str().expect("path"),
        "requests/start-allow.json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not a component"),
        "{out:?}"
    );
}

#[test]
fn check_with_an_explicit_policy_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let policy = dir.path().join("default.wasm");
    std::fs::write(&policy, standin::DEFAULT_POLICY).expect("write");
    let out = standin(&[
        "check",
        "action",
        "--policy",
        policy.to_str().expect("path"),
        "requests/action-purchase.json",
    ]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

#[test]
fn check_reads_the_request_from_stdin_and_uses_the_now_flag() {
    use std::io::Write;
    let request = std::fs::read_to_string(examples().join("requests/action-report.json")).expect("read");
    // Without `now` in the request, `--now` is the clock: after the session's end it is expired.
    let mut request: Value = serde_json::from_str(&request).expect("json");
    request.as_object_mut().expect("object").remove("now");
    let mut child = Command::new(env!("CARGO_BIN_EXE_standin"))
        .args(["--now", "2026-11-21T12:00:00Z", "check", "action", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(request.to_string().as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(codes(&decision(&out)), ["session-expired"]);
}

#[test]
fn help_explains_each_flag() {
    let out = standin(&["check", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in ["--policy", "--settings", "REQUEST.json", "--now"] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
    }
}

#[test]
fn test_passing_suite_exits_0_with_totals() {
    let out = standin(&["test", "suites/docebo-style.json"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.trim_end().ends_with("3 passed, 0 failed"), "{text}");
    assert!(text.contains("rules of the policy no case covers:"), "{text}");
}

/// The example suite with one expectation made wrong.
fn wrong_suite(dir: &Path) -> PathBuf {
    let suite = std::fs::read_to_string(examples().join("suites/docebo-style.json")).expect("read");
    let wrong = suite.replace(
        r#""codes": ["forbidden-action"]"#,
        r#""codes": ["reserved-for-target"]"#,
    );
    assert_ne!(suite, wrong);
    let path = dir.join("wrong.json");
    std::fs::write(&path, wrong).expect("write");
    path
}

#[test]
fn test_wrong_expectation_fails_with_a_diff_and_exit_3() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = standin(&["test", wrong_suite(dir.path()).to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("FAIL  no purchases while impersonating"), "{text}");
    assert!(
        text.contains(r#"expected ["reserved-for-target"], got ["forbidden-action"]"#),
        "{text}"
    );
    assert!(text.trim_end().ends_with("2 passed, 1 failed"), "{text}");
}

#[test]
fn test_junit_output_is_xml_with_the_failure() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = standin(&[
        "test",
        "--format",
        "junit",
        wrong_suite(dir.path()).to_str().expect("path"),
    ]);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let xml = String::from_utf8(out.stdout).expect("utf-8");
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("not XML ({e}):\n{xml}"));
    let root = doc.root_element();
    assert_eq!(
        (
            root.tag_name().name(),
            root.attribute("tests"),
            root.attribute("failures")
        ),
        ("testsuites", Some("3"), Some("1"))
    );
    let failures: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("failure")).collect();
    assert_eq!(failures.len(), 1);
    assert!(
        failures[0].attribute("message").expect("message").contains("codes"),
        "{xml}"
    );
}

#[test]
fn test_json_output_and_filter() {
    let out = standin(&[
        "test",
        "--format",
        "json",
        "--filter",
        "PURCHASES",
        "suites/docebo-style.json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        (report["passed"].as_u64(), report["failed"].as_u64()),
        (Some(1), Some(0))
    );
    let case = &report["suites"][0]["cases"][0];
    assert_eq!(case["name"], "no purchases while impersonating");
    assert_eq!(case["actual"]["decision"], "deny");
}

#[test]
fn test_malformed_suite_is_an_error_not_a_failure() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad.json");
    std::fs::write(&path, r#"{"name": "x", "cases": [{"name": "c1", "start": {"actor": "ghost", "target": "bob"}, "expect": {"decision": "allow"}}]}"#).expect("write");
    let out = standin(&["test", path.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.json") && err.contains("`c1`") && err.contains("unknown principal `ghost`"),
        "{err}"
    );
}
