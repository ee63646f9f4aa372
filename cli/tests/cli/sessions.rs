//! The session walkthrough of README.md, through the binary and one db file.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

pub fn standin(db: &Path, now: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_standin"))
        .args(["--db", db.to_str().expect("utf-8 path"), "--now", now])
        .args(args)
        .current_dir(examples())
        .env_remove("STANDIN_DB")
        .output()
        .expect("run standin")
}

pub fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {out:?}"))
}

#[test]
fn session_walkthrough_start_banner_forbidden_purchase_end_report_verify() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    let t0 = "2026-11-21T10:00:00Z";
    let out = standin(
        &db,
        t0,
        &[
            "policy",
            "set",
            "--tenant",
            "acme",
            "--settings",
            "settings/betterworks.json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(json(&out)["version"], 1);

    let out = standin(
        &db,
        t0,
        &[
            "session",
            "start",
            "requests/start-allow.json",
            "--return-to",
            "/admin/users",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let session = json(&out);
    let id = session["id"].as_str().expect("id").to_string();
    assert!(id.starts_with("s-") && id.len() == 18, "{id}");
    assert_eq!(session["state"], "active");
    assert_eq!(session["expires_at"], "2026-11-21T12:00:00Z");
    assert_eq!(session["policy"]["version"], 1);

    // A second start by the same actor: refused, exit 2.
    let out = standin(&db, t0, &["session", "start", "requests/start-allow.json"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(json(&out)["reasons"][0]["code"], "nested-impersonation");

    let out = standin(&db, "2026-11-21T11:56:00Z", &["session", "status", &id]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let banner = json(&out);
    assert_eq!(
        (banner["remaining_seconds"].as_i64(), banner["expiring_soon"].as_bool()),
        (Some(240), Some(true))
    );

    let out = standin(
        &db,
        "2026-11-21T10:05:00Z",
        &["authorize", &id, "billing.purchase", "--resource", "course-17"],
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let d = json(&out);
    assert_eq!(d["reasons"][0]["code"], "forbidden-action");
    assert_eq!(
        (d["acting_as"].as_str(), d["on_behalf_of"].as_str()),
        (Some("u-42"), Some("u-1"))
    );
    let out = standin(&db, "2026-11-21T10:06:00Z", &["authorize", &id, "course.view"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");

    let out = standin(&db, "2026-11-21T10:10:00Z", &["session", "end", &id]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let ended = json(&out);
    assert_eq!(
        (ended["end_reason"].as_str(), ended["return_to"].as_str()),
        (Some("stopped"), Some("/admin/users"))
    );
    let out = standin(&db, "2026-11-21T10:11:00Z", &["session", "end", &id]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");

    let out = standin(
        &db,
        t0,
        &["audit", "query", "--tenant", "acme", "--view", "impersonated"],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let events: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    let names: Vec<&str> = events.iter().map(|e| e["event"].as_str().expect("event")).collect();
    assert_eq!(
        names,
        [
            "policy.uploaded",
            "session.started",
            "session.denied",
            "action.denied",
            "action.allowed",
            "session.ended"
        ]
    );
    // The upload is shown under its uploader (none here), the rest under the target.
    assert_eq!(events[0]["detail"], "uploaded policy version 1");
    assert!(events[1..].iter().all(|e| e["user"] == "u-42" && e["actor"] == "u-1"));
    let out = standin(
        &db,
        t0,
        &["audit", "query", "--format", "csv", "--event", "action.denied"],
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2, "{out:?}");

    let out = standin(&db, t0, &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = standin(&db, t0, &["outbox", "list", "--tenant", "acme"]);
    let kinds: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).expect("json")["kind"]
                .as_str()
                .expect("kind")
                .to_string()
        })
        .collect();
    assert_eq!(kinds, ["impersonation.started", "impersonation.ended"]);
    let out = standin(&db, t0, &["outbox", "ack", "--tenant", "acme", "1", "2"]);
    assert_eq!(json(&out)["acked"], 2);

    // Tampering makes verify exit 3, naming the tenant and event.
    let conn = rusqlite::Connection::open(&db).expect("open");
    conn.execute("UPDATE audit SET codes = '[]' WHERE seq = 4", [])
        .expect("tamper");
    let out = standin(&db, t0, &["audit", "verify", "--tenant", "acme"]);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("`acme`") && stderr.contains("event 4"), "{stderr}");
}

#[test]
fn session_expiry_by_sweep_at_the_deadline_with_now() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    standin(&db, "2026-11-21T09:00:00Z", &["policy", "set", "--tenant", "acme"]);
    let out = standin(
        &db,
        "2026-11-21T10:00:00Z",
        &["session", "start", "requests/start-allow.json"],
    );
    let id = json(&out)["id"].as_str().expect("id").to_string();
    let out = standin(&db, "2026-11-21T11:59:59Z", &["sweep"]);
    assert!(out.stdout.is_empty(), "{out:?}");
    let out = standin(&db, "2026-11-21T12:00:00Z", &["sweep"]);
    let swept = json(&out);
    assert_eq!(
        (swept["id"].as_str(), swept["end_reason"].as_str()),
        (Some(id.as_str()), Some("expired"))
    );
    assert_eq!(swept["ended_at"], "2026-11-21T12:00:00Z");
    let out = standin(&db, "2026-11-21T12:00:00Z", &["authorize", &id, "course.view"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(json(&out)["reasons"][0]["code"], "session-expired");
}

#[test]
fn session_two_processes_racing_for_one_actor_get_exactly_one_session() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    // Create the schema first, so both racers only start sessions.
    let out = standin(&db, "2026-11-21T10:00:00Z", &["policy", "set", "--tenant", "acme"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    for round in 0..3 {
        let now = format!("2026-11-2{}T10:00:00Z", 2 + round);
        let racers: Vec<_> = (0..2)
            .map(|_| {
                Command::new(env!("CARGO_BIN_EXE_standin"))
                    .args(["--db", db.to_str().expect("utf-8"), "--now", &now])
                    .args(["session", "start", "requests/start-allow.json"])
                    .current_dir(examples())
                    .stdout(std::process::Stdio::piped())
                    .spawn()
                    .expect("spawn")
            })
            .collect();
        let mut codes: Vec<i32> = racers
            .into_iter()
            .map(|c| c.wait_with_output().expect("wait").status.code().expect("exit code"))
            .collect();
        codes.sort_unstable();
        assert_eq!(codes, [0, 2], "round {round}");
        // Let the winner's session lapse before the next round.
        let out = standin(&db, &format!("2026-11-2{}T23:00:00Z", 2 + round), &["sweep"]);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
    }
}

#[test]
fn s2_return_to_is_checked_and_origins_are_set_per_tenant() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    let t0 = "2026-11-21T10:00:00Z";
    standin(&db, t0, &["policy", "set", "--tenant", "acme"]);
    let start = |url: &str| {
        standin(
            &db,
            t0,
            &["session", "start", "requests/start-allow.json", "--return-to", url],
        )
    };
    let out = start("javascript:alert(1)");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("return_to"), "{out:?}");
    let out = start("https://app.example/admin");
    assert_eq!(out.status.code(), Some(1), "not yet allowed: {out:?}");
    let out = standin(
        &db,
        t0,
        &[
            "session",
            "origins",
            "--tenant",
            "acme",
            "--allow",
            "https://App.Example",
        ],
    );
    assert_eq!(json(&out)["return_origins"][0], "https://app.example", "{out:?}");
    let out = start("https://app.example/admin");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let id = json(&out)["id"].as_str().expect("id").to_string();
    // An extension that would shorten the session keeps its expiry and says so.
    let out = standin(&db, "2026-11-21T10:10:00Z", &["session", "extend", &id, "--ttl", "60"]);
    let extended = json(&out);
    assert_eq!(
        (extended["kept_expiry"].as_bool(), extended["expires_at"].as_str()),
        (Some(true), Some("2026-11-21T12:00:00Z")),
        "{out:?}"
    );
    let out = standin(&db, t0, &["session", "revoke", &id, "--reason", "  "]);
    assert_eq!(out.status.code(), Some(1), "a blank reason: {out:?}");
}
