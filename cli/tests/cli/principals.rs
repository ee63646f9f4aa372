//! `standin principal update` and `standin session revoke --actor`: the
//! sessions new facts no longer allow end, and an actor's sessions end at
//! once (E1, S5).

use crate::serve::{json, run};
use serde_json::Value;
use std::path::Path;

fn start(d: &Path, actor: &str, target: &str) -> String {
    let request = serde_json::json!({
        "tenant": "acme", "reason": "ticket SUP-1",
        "actor": {"id": actor, "roles": ["super_admin"]},
        "target": {"id": target, "active": true, "has_logged_in": true},
    });
    std::fs::write(d.join("start.json"), request.to_string()).expect("write");
    json(&run(d, &["session", "start", "start.json"]))["id"]
        .as_str()
        .expect("id")
        .to_string()
}

fn lines(out: &std::process::Output) -> Vec<Value> {
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect()
}

#[test]
fn e1_principal_update_ends_what_the_new_facts_no_longer_allow() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    json(&run(d, &["policy", "set", "--tenant", "acme"]));
    let id = start(d, "u-1", "u-42");
    std::fs::write(d.join("u-42.json"), r#"{"id": "u-42", "active": false}"#).expect("write");
    let out = json(&run(d, &["principal", "update", "--tenant", "acme", "u-42.json"]));
    assert_eq!(out["ended"][0]["id"], id.as_str(), "{out}");
    assert_eq!(out["ended"][0]["end_reason"], "revoked");
    let denied = run(d, &["authorize", &id, "course.view"]);
    assert_eq!(denied.status.code(), Some(2), "{denied:?}");
    let trail = lines(&run(
        d,
        &["audit", "query", "--tenant", "acme", "--event", "session.ended"],
    ));
    assert!(
        trail[0]["codes"].as_array().is_some_and(|c| !c.is_empty()),
        "the end carries the codes that ended it: {trail:?}"
    );
}

#[test]
fn s5_session_revoke_actor_ends_every_session_of_that_actor() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    json(&run(d, &["policy", "set", "--tenant", "acme"]));
    let mine = start(d, "u-1", "u-42");
    let theirs = start(d, "u-2", "u-43");
    let ended = lines(&run(
        d,
        &[
            "session",
            "revoke",
            "--tenant",
            "acme",
            "--actor",
            "u-1",
            "--reason",
            "offboarded",
        ],
    ));
    assert_eq!(ended.len(), 1);
    assert_eq!(ended[0]["id"], mine.as_str());
    let status = json(&run(d, &["session", "status", &theirs]));
    assert_eq!(status["state"], "active", "{status}");
    let usage = run(d, &["session", "revoke", "--actor", "u-1", "--reason", "x"]);
    assert_eq!(usage.status.code(), Some(1), "`--actor` needs `--tenant`: {usage:?}");
}
