//! Issue 4 item 7: a process killed with SIGKILL in the middle of a stream
//! of starts and authorizes loses no event whose call had returned, and the
//! chain still verifies.
//!
//! The stream is `standin-stress` (a test aid outside the product binary), which prints each
//! acknowledgement as soon as its call returned. The test reads those lines,
//! kills the process (`Child::kill` is SIGKILL on Unix) at a point that
//! moves from round to round, then checks the trail in the database. Run
//! with `--batched` (acknowledged before commit) the same check fails: the
//! last acknowledged rows are still queued when the process dies.

use serde_json::Value;
use std::collections::HashSet;
use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

const NOW: &str = "2026-11-21T10:00:00Z";

/// Runs `standin-stress` on `db`, kills it after `kill_after` acknowledged
/// lines, and returns every line it printed (those read after the kill
/// were printed before it).
fn stress_and_kill(db: &Path, run: &str, kill_after: usize, extra: &[&str]) -> Vec<String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_standin-stress"))
        .args(["--db", db.to_str().expect("utf-8 path"), "--now", NOW])
        .args(["--count", "1000000", "--run", run])
        .args(extra)
        .env_remove("STANDIN_DB")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn standin-stress");
    let mut lines = Vec::new();
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    while lines.len() < kill_after {
        line.clear();
        if reader.read_line(&mut line).expect("read") == 0 {
            panic!("standin-stress stopped after {} lines", lines.len());
        }
        lines.push(line.trim_end().to_string());
    }
    child.kill().expect("SIGKILL");
    let status = child.wait().expect("wait");
    assert!(!status.success(), "the process was killed, not finished: {status:?}");
    // What it printed before dying was acknowledged too.
    for l in reader.lines() {
        lines.push(l.expect("read"));
    }
    lines
}

/// `(event, session, resource)` of every audit event of tenant `stress`.
fn trail(db: &Path) -> HashSet<(String, String, String)> {
    let out = Command::new(env!("CARGO_BIN_EXE_standin"))
        .args([
            "--db",
            db.to_str().expect("utf-8 path"),
            "audit",
            "query",
            "--tenant",
            "stress",
        ])
        .env_remove("STANDIN_DB")
        .output()
        .expect("audit query");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let e: Value = serde_json::from_str(l).expect("json line");
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            (s("event"), s("session"), s("resource"))
        })
        .collect()
}

/// The audit event an acknowledgement line stands for.
fn expected(line: &str) -> (String, String, String) {
    let parts: Vec<&str> = line.split(' ').collect();
    match parts.as_slice() {
        ["started", id] => ("session.started".into(), (*id).into(), String::new()),
        ["ended", id] => ("session.ended".into(), (*id).into(), String::new()),
        ["authorized", id, resource, "allow"] => ("action.allowed".into(), (*id).into(), (*resource).into()),
        ["authorized", id, resource, "deny"] => ("action.denied".into(), (*id).into(), (*resource).into()),
        _ => panic!("unexpected line `{line}`"),
    }
}

/// Rounds of `standin-stress` with `extra` on one database, each killed
/// after `kill_after` acknowledgements: every acknowledged event must be in
/// the trail and the chain must verify. Each kill lands at another point of
/// the stream, and each round appends to a chain that survived a kill.
fn kill_rounds(kill_after: &[usize], extra: &[&str]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    for (round, &kill_after) in kill_after.iter().enumerate() {
        let acked = stress_and_kill(&db, &format!("r{round}"), kill_after, extra);
        assert!(acked.len() >= kill_after);
        let trail = trail(&db);
        let lost: Vec<&String> = acked.iter().filter(|l| !trail.contains(&expected(l))).collect();
        assert!(
            lost.is_empty(),
            "round {round}: {} acknowledged events are missing from the trail, e.g. {:?}",
            lost.len(),
            &lost[..lost.len().min(5)]
        );
        let out = Command::new(env!("CARGO_BIN_EXE_standin"))
            .args(["--db", db.to_str().expect("utf-8 path"), "audit", "verify"])
            .env_remove("STANDIN_DB")
            .output()
            .expect("audit verify");
        assert_eq!(out.status.code(), Some(0), "round {round}: {out:?}");
    }
}

#[test]
fn sigkill_mid_stream_loses_no_acknowledged_event_and_the_chain_verifies() {
    kill_rounds(&[37, 250, 613, 1001], &["--actions", "6"]);
}

/// The same with each session's actions sent as one `authorize_batch` of
/// 32: a batch's rows are acknowledged together, when it returned.
#[test]
fn a3_sigkill_mid_batch_stream_loses_no_acknowledged_row_and_the_chain_verifies() {
    kill_rounds(&[41, 300, 777, 1500], &["--actions", "32", "--batch"]);
}
