//! Policy versions from the CLI, as README.md shows them: upload with a
//! suite, what-if replay, activate, list, show, rollback, and a refused
//! upload that leaves the active version serving.

use crate::sessions::json;
use serde_json::Value;
use std::path::Path;
use std::process::Output;

fn standin(db: &Path, args: &[&str]) -> Output {
    crate::sessions::standin(db, "2026-11-21T10:00:00Z", args)
}

fn ok(out: Output) -> Value {
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    json(&out)
}

#[test]
fn policy_upload_diff_activate_list_rollback() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    let v1 = ok(standin(
        &db,
        &[
            "policy",
            "upload",
            "--tenant",
            "acme",
            "--settings",
            "settings/betterworks.json",
            "--activate",
            "--by",
            "ops",
            "--note",
            "as Betterworks",
        ],
    ));
    assert_eq!((v1["version"].as_u64(), v1["active"].as_bool()), (Some(1), Some(true)));
    assert_eq!(v1["uploaded_by"], "ops");

    let session = ok(standin(&db, &["session", "start", "requests/start-allow.json"]));
    let id = session["id"].as_str().expect("id");
    ok(standin(&db, &["authorize", id, "report.generate"]));

    let v2 = ok(standin(
        &db,
        &[
            "policy",
            "upload",
            "--tenant",
            "acme",
            "--settings",
            "settings/betterworks-read-only.json",
            "--suite",
            "suites/read-only.json",
        ],
    ));
    assert_eq!((v2["version"].as_u64(), v2["active"].as_bool()), (Some(2), Some(false)));
    assert_eq!(v2["suites"][0]["passed"], 3);

    // The recorded report would be refused by version 2: exit 3.
    let out = standin(&db, &["policy", "diff", "--tenant", "acme", "--candidate", "2"]);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let diff = json(&out);
    assert_eq!(
        (diff["replayed"].as_u64(), diff["allow_to_deny"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(diff["changes"][0]["action"], "report.generate");
    assert_eq!(diff["changes"][0]["after"]["codes"][0], "read-only-session");
    let out = standin(&db, &["policy", "diff", "--tenant", "acme", "--candidate", "1"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");

    // A refused upload names its step, exits 1 and stores nothing.
    let out = standin(
        &db,
        &[
            "policy",
            "upload",
            "--tenant",
            "acme",
            "--activate",
            "requests/start-allow.json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("step `component`"),
        "{out:?}"
    );

    assert_eq!(
        ok(standin(
            &db,
            &["policy", "activate", "--tenant", "acme", "--version", "2"]
        ))["version"],
        2
    );
    let list = standin(&db, &["policy", "list", "--tenant", "acme"]);
    let versions: Vec<Value> = String::from_utf8_lossy(&list.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    let active: Vec<_> = versions
        .iter()
        .map(|v| (v["version"].as_u64(), v["active"].as_bool()))
        .collect();
    assert_eq!(active, [(Some(1), Some(false)), (Some(2), Some(true))]);
    let show = ok(standin(&db, &["policy", "show", "--tenant", "acme", "--version", "1"]));
    assert_eq!(show["note"], "as Betterworks");
    // Version 0, the built-in, in the same shape, with the settings it runs with.
    let builtin = ok(standin(&db, &["policy", "show", "--tenant", "acme", "--version", "0"]));
    let mut fields: Vec<&String> = show.as_object().expect("object").keys().collect();
    fields.retain(|f| !builtin.as_object().expect("object").contains_key(*f));
    assert!(fields.is_empty(), "version 0 lacks {fields:?}: {builtin}");
    assert_eq!(builtin["policy"]["name"], "standin-default");
    assert_eq!(builtin["active"], false);
    let settings: Value = serde_json::from_str(builtin["settings"].as_str().expect("text")).expect("json");
    assert_eq!(settings["default_ttl_seconds"], 3600, "{settings}");
    assert_eq!(settings["impersonator_roles"][0], "super_admin", "{settings}");

    assert_eq!(
        ok(standin(&db, &["policy", "rollback", "--tenant", "acme"]))["version"],
        1
    );
    assert_eq!(ok(standin(&db, &["policy", "show", "--tenant", "acme"]))["version"], 1);
    let out = standin(&db, &["policy", "rollback", "--tenant", "acme"]);
    assert_eq!(out.status.code(), Some(1), "nothing earlier: {out:?}");
}

#[test]
fn policy_set_and_upload_take_the_component_the_same_ways() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    let wasm = dir.path().join("policy.wasm");
    std::fs::write(&wasm, standin::DEFAULT_POLICY).expect("write");
    let wasm = wasm.to_str().expect("utf-8");
    let digest = standin::Digest::of(standin::DEFAULT_POLICY).to_string();
    for args in [
        vec!["policy", "set", "--tenant", "a", "--policy", wasm],
        vec!["policy", "set", "--tenant", "b", wasm],
        vec!["policy", "upload", "--tenant", "c", wasm],
        vec!["policy", "upload", "--tenant", "d", "--policy", wasm],
    ] {
        assert_eq!(ok(standin(&db, &args))["digest"], digest.as_str(), "{args:?}");
    }
    let both = standin(&db, &["policy", "upload", "--tenant", "e", wasm, "--policy", wasm]);
    assert_eq!(both.status.code(), Some(1), "one component, one way: {both:?}");
}

/// ST1: `policy set --preset strict` stores the preset in the settings; a
/// start without a ticket is then refused, and one with a ticket gets the
/// strict session.
#[test]
fn st1_policy_set_preset_strict() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    let stored = ok(standin(
        &db,
        &["policy", "set", "--tenant", "acme", "--preset", "strict"],
    ));
    let settings: Value = serde_json::from_str(stored["settings"].as_str().expect("settings")).expect("json");
    assert_eq!(settings["preset"], "strict");
    let start = |reason: &str| {
        let request = serde_json::json!({
            "tenant": "acme", "reason": reason,
            "actor": {"id": "u-1", "roles": ["super_admin"]},
            "target": {"id": "u-2", "active": true, "has_logged_in": true},
        });
        let file = dir.path().join("start.json");
        std::fs::write(&file, request.to_string()).expect("write");
        standin(&db, &["session", "start", file.to_str().expect("utf-8")])
    };
    let refused = start("looking around");
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert!(String::from_utf8_lossy(&refused.stdout).contains("reason-pattern-mismatch"));
    let session = ok(start("SUP-7"));
    assert_eq!(
        (session["read_only"].as_bool(), session["idle_timeout_seconds"].as_u64()),
        (Some(true), Some(900))
    );
    // Settings that name another preset are refused, not merged.
    let other = dir.path().join("other.json");
    std::fs::write(&other, r#"{"preset": "permissive"}"#).expect("write");
    let clash = standin(
        &db,
        &[
            "policy",
            "set",
            "--tenant",
            "acme",
            "--preset",
            "strict",
            "--settings",
            other.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(clash.status.code(), Some(1), "{clash:?}");
}
