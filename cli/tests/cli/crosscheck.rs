//! `audit verify` compares the tables the host acts on with the chain
//! (A1, T1): a session row set back to active, or a policy version's
//! settings edited in place, is found although every hash still holds.

use crate::sessions::{json, standin};
use serde_json::Value;
use std::path::Path;
use std::process::Output;

const T0: &str = "2026-11-21T10:00:00Z";

fn ok(out: Output) -> Value {
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    json(&out)
}

fn tamper(db: &Path, sql: &str) {
    rusqlite::Connection::open(db)
        .expect("open")
        .execute_batch(sql)
        .expect("tamper");
}

/// Exit 3, with every line of `expected` on stderr.
fn broken(db: &Path, expected: &[&str]) -> String {
    let out = standin(db, T0, &["audit", "verify", "--tenant", "acme"]);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    for e in expected {
        assert!(err.contains(e), "missing {e:?} in {err}");
    }
    err
}

/// A policy upload and a session started then ended; the session's id.
fn ended_session(db: &Path) -> String {
    ok(standin(
        db,
        "2026-11-21T09:00:00Z",
        &[
            "policy",
            "set",
            "--tenant",
            "acme",
            "--settings",
            "settings/betterworks.json",
        ],
    ));
    let id = ok(standin(db, T0, &["session", "start", "requests/start-allow.json"]))["id"]
        .as_str()
        .expect("id")
        .to_string();
    ok(standin(db, "2026-11-21T10:10:00Z", &["session", "end", &id]));
    ok(standin(db, T0, &["audit", "verify"]));
    id
}

#[test]
fn a1_verify_finds_a_session_row_set_back_to_active() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    let id = ended_session(&db);
    tamper(
        &db,
        &format!("UPDATE sessions SET state = 'active', ended_at = NULL, end_reason = NULL WHERE id = '{id}'"),
    );
    broken(
        &db,
        &[
            &format!("session `{id}`"),
            "the row is active, but the chain ended it",
            "is not authenticated by the host key",
        ],
    );
    // The host acts on the row only if the host key's tag holds: the edited
    // row is refused, so the ended session stays unusable.
    let out = standin(&db, "2026-11-21T10:20:00Z", &["authorize", &id, "course.view"]);
    assert_ne!(out.status.code(), Some(0), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not authenticated by the host key"),
        "{out:?}"
    );
}

#[test]
fn a1_verify_finds_session_rows_that_differ_from_the_chain_or_have_no_events() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    let id = ended_session(&db);
    // A longer deadline and another target, a row made up, a row deleted.
    tamper(
        &db,
        &format!(
            "UPDATE sessions SET expires_at = expires_at + 86400, target = 'u-7' WHERE id = '{id}'; \
             INSERT INTO sessions SELECT 's-made-up', tenant, actor, target, actor_principal, target_principal, \
               reason, domain, read_only, started_at, expires_at, max_expires_at, 'active', NULL, NULL, return_to, \
               policy_version, policy_digest, notify_target, obligations, revoke_reason, parent, 1, approval, tag, scope, \
               idle_timeout \
               FROM sessions WHERE id = '{id}'"
        ),
    );
    broken(
        &db,
        &[
            "`expires_at` is 2026-11-22T12:00:00Z in the row, 2026-11-21T12:00:00Z in the chain",
            "`target` is `u-7` in the row, `u-42` in the chain",
            "session `s-made-up` has a row but no `session.started` event",
        ],
    );
    tamper(&db, &format!("DELETE FROM sessions WHERE id IN ('{id}', 's-made-up')"));
    broken(&db, &[&format!("session `{id}` was started but has no row")]);
}

#[test]
fn t1_verify_finds_a_versions_settings_edited_in_place() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    ended_session(&db);
    let events = ok(standin(&db, T0, &["audit", "query", "--event", "policy.uploaded"]));
    assert_eq!(events["policy"]["version"], 1);
    let settings = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/settings/betterworks.json"))
        .expect("settings");
    let digest = standin::Digest::of(&settings).to_string();
    assert_eq!(events["note"], format!("settings {digest}"));
    // Looser settings, written straight into the table.
    tamper(
        &db,
        "UPDATE policies SET settings = '{}' WHERE tenant = 'acme' AND version = 1",
    );
    let err = broken(
        &db,
        &[
            "policy version 1 disagrees with the chain: `settings`",
            &format!("in the row, `{digest}` in the chain"),
        ],
    );
    assert!(err.contains("at event 1"), "{err}");
    // Another component named for the version.
    tamper(
        &db,
        "INSERT INTO components (digest, bytes, created_at) VALUES ('sha256:00', x'00', 0); \
         UPDATE policies SET digest = 'sha256:00' WHERE tenant = 'acme' AND version = 1",
    );
    broken(&db, &["`digest` is `sha256:00` in the row"]);
}

#[test]
fn t1_verify_finds_a_version_without_its_upload_event() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    ended_session(&db);
    // A version slipped in beside the chain (as trails of releases before
    // `policy.uploaded` look too).
    tamper(
        &db,
        "INSERT INTO policies (tenant, version, digest, settings, created_at, active) \
         SELECT tenant, 2, digest, '{}', created_at, 0 FROM policies WHERE tenant = 'acme' AND version = 1",
    );
    broken(&db, &["policy version 2 has no `policy.uploaded` event"]);
}

/// SC1: the scope a session was granted is in its start's event, so a row
/// whose scope was widened by SQL is found (and refused by its tag).
#[test]
fn sc1_verify_finds_a_session_row_whose_scope_was_widened() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    ok(standin(
        &db,
        "2026-11-21T09:00:00Z",
        &[
            "policy",
            "set",
            "--tenant",
            "acme",
            "--settings",
            "settings/betterworks.json",
        ],
    ));
    let mut request: Value =
        serde_json::from_str(&std::fs::read_to_string("../examples/requests/start-allow.json").expect("read"))
            .expect("json");
    request["scope"] = serde_json::json!({"actions": ["report.view"]});
    let file = dir.path().join("scoped.json");
    std::fs::write(&file, request.to_string()).expect("write");
    let id = ok(standin(&db, T0, &["session", "start", file.to_str().expect("utf-8")]))["id"]
        .as_str()
        .expect("id")
        .to_string();
    ok(standin(&db, T0, &["audit", "verify"]));
    tamper(
        &db,
        &format!("UPDATE sessions SET scope = '{{\"actions\":[\"*\"]}}' WHERE id = '{id}'"),
    );
    broken(
        &db,
        &[&format!("session `{id}` disagrees with the chain"), "`scope` is"],
    );
}
