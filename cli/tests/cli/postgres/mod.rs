//! Many processes on one PostgreSQL database (`--database-url`): racing
//! starts make one session, an end on one process is the last word for the
//! others, two `serve` replicas share sessions, and the chain verifies;
//! outbox consumers and a replica killed under load in their own modules.
//! Skipped with a note where PostgreSQL is not installed, unless
//! `STANDIN_REQUIRE_POSTGRES=1` (CI).

use crate::serve::{http, json, run, serve, sigterm, wait};
use serde_json::Value;
use standin_tests::postgres::PgServer;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

mod kill;
mod migrate;
mod outbox;

/// A fresh server and database, and a folder for the processes' files.
pub(super) fn database(name: &str) -> Option<(PgServer, String, tempfile::TempDir)> {
    let server = PgServer::start()?;
    let url = server.create_database(name);
    Some((server, url, tempfile::tempdir().expect("temp dir")))
}

pub(super) fn start_request(dir: &Path, file: &str, actor: &str, target: &str) {
    let request = serde_json::json!({
        "tenant": "acme", "reason": "ticket SUP-1",
        "actor": {"id": actor, "roles": ["super_admin"]},
        "target": {"id": target, "active": true, "has_logged_in": true},
    });
    std::fs::write(dir.join(file), request.to_string()).expect("write request");
}

pub(super) fn standin(dir: &Path, url: &str, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_standin"));
    c.args(["--database-url", url])
        .args(args)
        .current_dir(dir)
        .env("XDG_CONFIG_HOME", dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

pub(super) fn events(dir: &Path, url: &str) -> Vec<Value> {
    let out = run(dir, &["--database-url", url, "audit", "query", "--tenant", "acme"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("event"))
        .collect()
}

#[test]
fn three_processes_racing_to_start_for_one_actor_make_exactly_one_session_e7() {
    let Some((_pg, url, dir)) = database("race") else {
        return;
    };
    let d = dir.path();
    json(&run(d, &["--database-url", &url, "policy", "set", "--tenant", "acme"]));
    for i in 0..3 {
        start_request(d, &format!("start-{i}.json"), "u-1", &format!("t-{i}"));
    }
    let children: Vec<_> = (0..3)
        .map(|i| {
            standin(d, &url, &["session", "start", &format!("start-{i}.json")])
                .spawn()
                .expect("spawn")
        })
        .collect();
    let codes: Vec<Option<i32>> = children
        .into_iter()
        .map(|c| c.wait_with_output().expect("wait").status.code())
        .collect();
    assert_eq!(codes.iter().filter(|c| **c == Some(0)).count(), 1, "{codes:?}");
    assert_eq!(
        codes.iter().filter(|c| **c == Some(2)).count(),
        2,
        "the others are denies: {codes:?}"
    );
    let active = run(
        d,
        &[
            "--database-url",
            &url,
            "session",
            "list",
            "--tenant",
            "acme",
            "--active",
        ],
    );
    assert_eq!(String::from_utf8_lossy(&active.stdout).lines().count(), 1);
    let denied = events(d, &url)
        .iter()
        .filter(|e| e["event"] == "session.denied")
        .count();
    assert_eq!(denied, 2, "each refusal is in the trail");
}

#[test]
fn an_end_on_one_process_is_the_last_word_for_authorizes_on_others_s5_a3() {
    let Some((_pg, url, dir)) = database("end_race") else {
        return;
    };
    let d = dir.path();
    json(&run(d, &["--database-url", &url, "policy", "set", "--tenant", "acme"]));
    start_request(d, "start.json", "u-1", "u-2");
    let id = json(&run(d, &["--database-url", &url, "session", "start", "start.json"]))["id"]
        .as_str()
        .expect("id")
        .to_string();
    // Two processes authorizing in turn, while a third ends the session.
    let workers: Vec<_> = (0..2)
        .map(|w| {
            let (url, id, dir) = (url.clone(), id.clone(), d.to_path_buf());
            std::thread::spawn(move || {
                (0..12)
                    .map(|i| {
                        let resource = format!("r-{w}-{i}");
                        let out = standin(&dir, &url, &["authorize", &id, "course.view", "--resource", &resource])
                            .output()
                            .expect("authorize");
                        (resource, out.status.code())
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let ended = standin(d, &url, &["session", "end", &id]).output().expect("end");
    assert_eq!(ended.status.code(), Some(0), "{ended:?}");
    let answers: Vec<(String, Option<i32>)> = workers.into_iter().flat_map(|w| w.join().expect("worker")).collect();

    let trail = events(d, &url);
    let end = trail
        .iter()
        .position(|e| e["event"] == "session.ended")
        .expect("the end is recorded");
    assert!(
        !trail[end..].iter().any(|e| e["event"] == "action.allowed"),
        "an allowed action after the end"
    );
    // Each caller was told what the trail says.
    for (resource, code) in &answers {
        let allowed = trail
            .iter()
            .any(|e| e["event"] == "action.allowed" && e["resource"] == resource.as_str());
        match code {
            Some(0) => assert!(
                allowed,
                "`{resource}` was answered allow but is not an allowed action in the trail"
            ),
            Some(2) => assert!(!allowed, "`{resource}` was answered deny but the trail allows it"),
            other => panic!("`{resource}`: exit {other:?}"),
        }
    }
    assert!(
        answers.iter().any(|(_, c)| *c == Some(2)),
        "no authorize came after the end: {answers:?}"
    );
    let verify = run(d, &["--database-url", &url, "audit", "verify", "--tenant", "acme"]);
    assert_eq!(verify.status.code(), Some(0), "{verify:?}");
}

#[test]
fn two_serve_replicas_share_sessions_and_one_chain() {
    let Some((_pg, url, dir)) = database("replicas") else {
        return;
    };
    let d = dir.path();
    json(&run(d, &["--database-url", &url, "policy", "set", "--tenant", "acme"]));
    let key = json(&run(
        d,
        &[
            "--database-url",
            &url,
            "key",
            "create",
            "--tenant",
            "acme",
            "--scope",
            "decide",
        ],
    ))["key"]
        .as_str()
        .expect("key")
        .to_string();
    let (mut a, addr_a) = serve(d, &["--database-url", &url]);
    let (mut b, addr_b) = serve(d, &["--database-url", &url]);
    // One of them records expiries (S4): each says so in its metrics.
    let leads = |addr: &str| {
        let (status, text) = http(addr, "GET", "/metrics", None, None).expect("metrics");
        assert_eq!(status, 200);
        text.lines().any(|l| l == "standin_sweeper_leader 1")
    };
    let started = std::time::Instant::now();
    while !(leads(&addr_a) || leads(&addr_b)) && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        u8::from(leads(&addr_a)) + u8::from(leads(&addr_b)),
        1,
        "exactly one replica sweeps"
    );
    let body = r#"{"tenant": "acme", "reason": "ticket SUP-1", "actor": {"id": "u-1", "roles": ["super_admin"]},
        "target": {"id": "u-42", "active": true, "has_logged_in": true}}"#;
    let (status, session) = http(&addr_a, "POST", "/v1/tenants/acme/sessions", Some(&key), Some(body)).expect("start");
    assert_eq!(status, 201, "{session}");
    let id = serde_json::from_str::<Value>(&session).expect("json")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let authorize = |addr: &str| {
        let (status, answer) = http(
            addr,
            "POST",
            &format!("/v1/tenants/acme/sessions/{id}/authorize"),
            Some(&key),
            Some(r#"{"action": "course.view"}"#),
        )
        .expect("authorize");
        assert_eq!(status, 200, "{answer}");
        serde_json::from_str::<Value>(&answer).expect("json")
    };
    assert_eq!(authorize(&addr_a)["decision"], "allow", "replica A, which started it");
    assert_eq!(authorize(&addr_b)["decision"], "allow", "replica B sees A's session");
    let (status, _) = http(
        &addr_b,
        "POST",
        &format!("/v1/tenants/acme/sessions/{id}/end"),
        Some(&key),
        None,
    )
    .expect("end");
    assert_eq!(status, 200);
    // Replica A had the session in its cache as active: the commit says otherwise.
    let after = authorize(&addr_a);
    assert_eq!(after["decision"], "deny", "{after}");
    assert_eq!(after["reasons"][0]["code"], "session-ended");
    // The group commits of actions are counted where they were made.
    let (_, metrics) = http(&addr_a, "GET", "/metrics", None, None).expect("metrics");
    let rows: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("standin_audit_rows_total "))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(rows >= 1, "replica A committed its allowed action: {metrics}");
    for child in [&mut a, &mut b] {
        sigterm(child);
        assert_eq!(wait(child, Duration::from_secs(30)), Some(0));
    }
    let verify = run(d, &["--database-url", &url, "audit", "verify", "--tenant", "acme"]);
    assert_eq!(verify.status.code(), Some(0), "{verify:?}");
    let kinds: Vec<String> = events(d, &url)
        .iter()
        .map(|e| e["event"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(
        kinds,
        [
            "policy.uploaded",
            "session.started",
            "action.allowed",
            "action.allowed",
            "session.ended",
            "action.denied"
        ]
    );
}
