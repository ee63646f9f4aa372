//! A closed standard output ends quietly (hardening issue, item 9):
//! `standin audit query | head -1` on a long trail neither panics
//! ("failed printing to stdout", exit 101) nor reports an error.

use crate::audit_output::{start_request, trail};
use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

/// Makes the trail `rows` events long (copies of event 1 after the two
/// there, the policy's upload and the start: the chain does not verify,
/// which a query does not care about).
fn lengthen(db: &Path, rows: u32) {
    let conn = rusqlite::Connection::open(db).expect("open");
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 3 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
         INSERT INTO audit (tenant, seq, at, event, session, actor, target, action, resource, reason, codes,
                            end_reason, policy_version, policy_digest, expires_at, obligations, note, request,
                            prev_hash, hash, chain, facts)
         SELECT tenant, i, at, event, session, actor, target, action, resource, reason, codes,
                end_reason, policy_version, policy_digest, expires_at, obligations, note, request,
                prev_hash, hash, chain, facts
         FROM audit, n WHERE seq = 1",
        [rows],
    )
    .expect("insert");
}

/// Runs `standin --db DB args`, reads one line of its output, closes the
/// pipe, and returns its exit code and standard error.
fn first_line_then_close(db: &Path, args: &[&str]) -> (String, Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_standin"))
        .args(["--db", db.to_str().expect("utf-8"), "--now", "2026-11-21T10:00:00Z"])
        .args(args)
        .env_remove("STANDIN_DB")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut first = String::new();
    {
        let mut reader = BufReader::with_capacity(64, child.stdout.take().expect("stdout"));
        reader.read_line(&mut first).expect("read a line");
        // Dropping the reader closes the pipe's only read end.
    }
    let out = child.wait_with_output().expect("wait");
    (
        first,
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn closed_stdout_ends_quietly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = trail(dir.path(), &start_request("ticket SUP-1"));
    // Far more than a pipe holds (64 KiB), so the writes meet the closed end.
    lengthen(&db, 20_000);
    for format in ["jsonl", "csv", "table"] {
        let (first, code, stderr) = first_line_then_close(&db, &["audit", "query", "--format", format]);
        assert!(!first.is_empty(), "{format}: no first line");
        assert!(
            !stderr.contains("panicked") && !stderr.contains("failed printing"),
            "{format}: {stderr}"
        );
        assert_eq!(code, Some(0), "{format}: {stderr}");
        assert!(stderr.is_empty(), "{format}: {stderr}");
    }
    // A command that prints line by line: its later lines find the pipe closed.
    let (first, code, stderr) = first_line_then_close(&db, &["audit", "verify"]);
    assert!(first.contains("\"tenant\""), "{first}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    // The copies break the chain: the exit code still says so.
    assert_eq!(code, Some(3), "{stderr}");
}
