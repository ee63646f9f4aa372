//! Commands that only read open the database read-only (hardening issue,
//! item 6): they never create a database where none is (exit 1 instead),
//! work on a file they may only read, take no write lock, and a read-only
//! store refuses writes with a typed error.

use crate::audit_output::{start_request, trail};
use crate::sessions::{json, standin};
use standin::store::{AuditStore, OutboxStore, SessionStore, StoreError, TenantStore};
use standin_store_sqlite::SqliteStore;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const T0: &str = "2026-11-21T10:00:00Z";

/// Every command that only reads, with the arguments it needs.
const READERS: [&[&str]; 9] = [
    &["audit", "verify"],
    &["audit", "query", "--format", "table"],
    &["session", "status", "s-0000000000000000"],
    &["session", "list", "--tenant", "acme"],
    &["outbox", "list"],
    &["policy", "list", "--tenant", "acme"],
    &["policy", "show", "--tenant", "acme"],
    &["policy", "show", "--tenant", "acme", "--version", "0"],
    &["policy", "diff", "--tenant", "acme", "--candidate", "0"],
];

#[test]
fn read_only_commands_refuse_a_missing_database_and_create_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("missing.db");
    for args in READERS {
        for db in [Path::new("/nonexistent/x.db"), &missing] {
            let out = standin(db, T0, args);
            assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                err.contains(&format!("no database at `{}`", db.display())),
                "{args:?}: {err}"
            );
        }
        let left: Vec<_> = std::fs::read_dir(dir.path()).expect("read dir").collect();
        assert!(left.is_empty(), "{args:?} created {left:?}");
    }
    assert!(!Path::new("/nonexistent").exists());
}

#[test]
fn read_only_audit_verify_works_on_a_0444_file() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().expect("temp dir");
    let db = trail(dir.path(), &start_request("ticket SUP-1"));
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    let before = std::fs::read(&db).expect("read db");
    let out = standin(&db, T0, &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(json(&out)["events"], 2, "the policy's upload and the start");
    for args in READERS {
        let out = standin(&db, T0, args);
        // The made-up session id is unknown; everything else answers.
        let expected = if args[1] == "status" { 1 } else { 0 };
        assert_eq!(out.status.code(), Some(expected), "{args:?}: {out:?}");
    }
    assert!(
        std::fs::read(&db).expect("read db") == before,
        "a reader changed the file"
    );
}

/// While another connection holds the write lock, every reader still
/// answers at once: a read-write open would wait for the lock (its schema
/// check is a write transaction) for the whole busy timeout (30 s).
#[test]
fn read_only_commands_take_no_write_lock() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = trail(dir.path(), &start_request("ticket SUP-1"));
    let mut conn = rusqlite::Connection::open(&db).expect("open");
    let lock = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .expect("take the write lock");
    for args in READERS {
        let mut child = Command::new(env!("CARGO_BIN_EXE_standin"))
            .args(["--db", db.to_str().expect("utf-8"), "--now", T0])
            .args(args)
            .env_remove("STANDIN_DB")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let start = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("try_wait") {
                break status;
            }
            if start.elapsed() > Duration::from_secs(10) {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{args:?} waited for the write lock: it did not open the database read-only");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let expected = if args[1] == "status" { 1 } else { 0 };
        assert_eq!(status.code(), Some(expected), "{args:?}");
    }
    lock.rollback().expect("release");
}

/// `session status` and `session list` record nothing: a session past its
/// deadline is shown as its expiry will be recorded (ended, `expired`, at
/// the deadline), and the next write (here `sweep`) records exactly that.
#[test]
fn read_only_status_and_list_show_a_due_expiry_without_recording_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = trail(dir.path(), &start_request("ticket SUP-1"));
    let later = "2026-11-21T13:00:00Z";
    let list = standin(&db, later, &["session", "list", "--tenant", "acme"]);
    assert_eq!(list.status.code(), Some(0), "{list:?}");
    let shown = json(&list);
    let id = shown["id"].as_str().expect("id");
    assert_eq!(
        (
            shown["state"].as_str(),
            shown["end_reason"].as_str(),
            shown["ended_at"].as_str()
        ),
        (Some("ended"), Some("expired"), Some("2026-11-21T12:00:00Z"))
    );
    let out = standin(&db, later, &["session", "status", id]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let banner = json(&out);
    assert_eq!(
        (
            banner["state"].as_str(),
            banner["end_reason"].as_str(),
            banner["remaining_seconds"].as_i64()
        ),
        (Some("ended"), Some("expired"), Some(0))
    );
    let out = standin(&db, later, &["session", "list", "--tenant", "acme", "--active"]);
    assert!(out.stdout.is_empty(), "{out:?}");
    // Nothing was recorded ...
    let events = |db: &Path| {
        let out = standin(db, later, &["audit", "query"]);
        String::from_utf8_lossy(&out.stdout).lines().count()
    };
    assert_eq!(events(&db), 2, "only policy.uploaded and session.started");
    // ... until a write records the same expiry.
    let out = standin(&db, later, &["sweep"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(json(&out), shown);
    assert_eq!(events(&db), 3);
}

#[test]
fn read_only_store_refuses_writes_with_a_typed_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = trail(dir.path(), &start_request("ticket SUP-1"));
    let now: chrono::DateTime<chrono::Utc> = "2026-11-21T10:30:00Z".parse().expect("time");
    let store = SqliteStore::open_read_only(&db).expect("open read-only");
    assert!(store.is_read_only());
    assert_eq!(store.outbox(Some("acme"), false).expect("outbox").len(), 1);
    assert!(matches!(
        store.ack(Some("acme"), &[1], now),
        Err(StoreError::ReadOnly(_))
    ));
    assert!(matches!(
        store.set_notifications("acme", &Default::default()),
        Err(StoreError::ReadOnly(_))
    ));
    let sessions = standin::Standin::new(standin::Host::new().expect("host"), std::sync::Arc::new(store));
    let id = sessions.sessions().peek_list("acme", true, now).expect("list")[0]
        .id
        .clone();
    assert!(matches!(
        sessions.sessions().end(&id, now),
        Err(standin::SessionError::Store(StoreError::ReadOnly(_)))
    ));
    assert!(matches!(
        sessions.sessions().authorize(&id, "course.view", None, now),
        Err(standin::SessionError::Store(StoreError::ReadOnly(_)))
    ));
    drop(sessions);
    // Still one active session and two events (the policy's upload and
    // the start): nothing was written.
    let store = SqliteStore::open_read_only(&db).expect("open read-only");
    assert_eq!(store.sessions("acme", true).expect("sessions").len(), 1);
    assert_eq!(store.audit(&Default::default()).expect("audit").len(), 2);
    assert!(matches!(
        SqliteStore::open_read_only(dir.path().join("missing.db")),
        Err(StoreError::Missing { .. })
    ));
    assert!(!dir.path().join("missing.db").exists());
}
