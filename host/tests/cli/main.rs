//! The `standin` CLI as platforms and CI scripts see it: JSON on stdout,
//! the reason on stderr, and exit codes that tell deny from failure.

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
