//! The two chain formats in one trail: a database written before the
//! current format (rows of format 1, the schema of migration 0) is
//! migrated, new rows are appended in format 2 after its head, and `audit
//! verify` checks each row in its own format.

use super::{MIGRATIONS, SqliteStore};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};
use standin::audit::{AuditEvent, CHAIN_V1, CHAIN_V2, GENESIS_HASH, RequestFacts, Seal, chain_hash, verify_chain};
use standin::decision::PolicyRef;
use standin::store::{ActionAppended, ActionRecord, AuditFilter, AuditStore, Change, SessionStore};
use std::sync::Arc;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("time")
}

fn event(name: &str, action: Option<&str>, request: Option<&str>) -> AuditEvent {
    AuditEvent {
        seq: 0,
        tenant: "acme".into(),
        at: at("2026-11-21T10:00:00Z"),
        event: name.into(),
        session: Some("s-1".into()),
        actor: "u-1".into(),
        target: "u-42".into(),
        action: action.map(str::to_string),
        resource: None,
        reason: Some("ticket".into()),
        codes: Vec::new(),
        end_reason: None,
        policy: PolicyRef {
            version: 0,
            digest: "sha256:00".into(),
        },
        expires_at: None,
        obligations: None,
        note: None,
        request: request.map(str::to_string),
        prev_hash: String::new(),
        hash: String::new(),
        seal: Seal::default(),
    }
}

/// A database as the first release wrote it: migration 0 only, three
/// events chained in format 1, the action's whole request in its row.
fn old_database(path: &std::path::Path) {
    let conn = Connection::open(path).expect("open");
    conn.execute_batch(MIGRATIONS[0]).expect("schema");
    conn.execute_batch("PRAGMA user_version = 1").expect("version");
    let mut prev = GENESIS_HASH.to_string();
    let rows = [
        event(
            "session.started",
            None,
            Some(r#"{"tenant":"acme","actor":{"id":"u-1"}}"#),
        ),
        event(
            "action.allowed",
            Some("course.view"),
            Some(r#"{"tenant":"acme","action":"course.view"}"#),
        ),
        event("action.denied", Some("billing.purchase"), None),
    ];
    for (i, mut e) in rows.into_iter().enumerate() {
        e.seq = i as u64 + 1;
        e.hash = chain_hash(&prev, &e);
        conn.execute(
            "INSERT INTO audit (tenant, seq, at, event, session, actor, target, action, resource, reason, codes, \
             policy_version, policy_digest, request, prev_hash, hash) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, ?9, '[]', 0, ?10, ?11, ?12, ?13)",
            params![
                e.tenant,
                e.seq as i64,
                e.at.timestamp(),
                e.event,
                e.session,
                e.actor,
                e.target,
                e.action,
                e.reason,
                e.policy.digest,
                e.request,
                prev,
                e.hash
            ],
        )
        .expect("insert");
        prev = e.hash;
    }
}

fn trail(store: &SqliteStore) -> Vec<AuditEvent> {
    store.audit(&AuditFilter::default()).expect("audit")
}

fn broken_at(store: &SqliteStore) -> Option<u64> {
    verify_chain("acme", &trail(store), None).broken.map(|b| b.seq)
}

/// Opens the old database with this build and appends one event of each
/// kind: a session change (request as text) and an action (request facts).
fn migrated(path: &std::path::Path) -> SqliteStore {
    old_database(path);
    let store = SqliteStore::open(path).expect("open and migrate");
    store
        .record(Change {
            audit: vec![event("session.extended", None, None)],
            ..Change::default()
        })
        .expect("record");
    let mut action = event("action.allowed", Some("report.generate"), None);
    action.session = None; // no session row: appended without the active check
    action.seal.facts = Some(Arc::new(RequestFacts::new(r#"{"id":"s-1"}"#.to_string())));
    let appended = store
        .record(Change {
            audit: vec![action],
            ..Change::default()
        })
        .expect("record");
    assert_eq!(appended.audit[0].seq, 5);
    store
}

#[test]
fn an_old_trail_still_verifies_and_new_rows_chain_after_it_in_the_new_format() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("old.db");
    let store = migrated(&path);
    let events = trail(&store);
    let formats: Vec<u32> = events.iter().map(|e| e.seal.chain).collect();
    assert_eq!(formats, [CHAIN_V1, CHAIN_V1, CHAIN_V1, CHAIN_V2, CHAIN_V2]);
    assert_eq!(events[3].prev_hash, events[2].hash);
    // The old action keeps its request text; the new one is rebuilt from its facts.
    assert_eq!(
        events[1].request.as_deref(),
        Some(r#"{"tenant":"acme","action":"course.view"}"#)
    );
    assert!(
        events[4]
            .request
            .as_deref()
            .is_some_and(|r| r.contains(r#""session":{"id":"s-1"}"#) && r.contains(r#""action":"report.generate""#))
    );
    let chain = verify_chain("acme", &events, None);
    assert!(chain.broken.is_none(), "{:?}", chain.broken);
    assert_eq!(chain.events, 5);
}

#[test]
fn tampering_is_found_in_either_format() {
    let cases = [
        ("UPDATE audit SET request = '{}' WHERE seq = 2", 2),
        ("UPDATE audit SET chain = 2 WHERE seq = 1", 1),
        ("UPDATE audit SET actor = 'u-9' WHERE seq = 4", 4),
        ("UPDATE audit SET chain = 1 WHERE seq = 4", 4),
        ("UPDATE audit SET chain = 7 WHERE seq = 4", 4),
        ("UPDATE audit_facts SET body = '{\"id\":\"s-2\"}'", 5),
        ("DELETE FROM audit_facts", 5),
        ("UPDATE audit SET request = '{}' WHERE seq = 5", 5),
        ("UPDATE audit SET facts = NULL WHERE seq = 5", 5),
        ("DELETE FROM audit WHERE seq = 4", 4),
    ];
    for (sql, seq) in cases {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("old.db");
        let store = migrated(&path);
        assert_eq!(broken_at(&store), None);
        Connection::open(&path).expect("open").execute_batch(sql).expect(sql);
        assert_eq!(broken_at(&store), Some(seq), "{sql}");
    }
}

#[test]
fn an_action_is_appended_with_its_facts_stored_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(dir.path().join("new.db")).expect("open");
    let facts = Arc::new(RequestFacts::new(r#"{"id":"s-1"}"#.to_string()));
    for _ in 0..3 {
        let mut e = event("action.allowed", Some("course.view"), None);
        e.session = None;
        e.seal.facts = Some(facts.clone());
        store
            .record(Change {
                audit: vec![e],
                ..Change::default()
            })
            .expect("record");
    }
    // Through the writer: an unknown session is not active, nothing is appended.
    let outcome = store
        .append_action(ActionRecord {
            session: "s-unknown".into(),
            now: at("2026-11-21T10:00:00Z"),
            audit: vec![event("action.allowed", Some("course.view"), None)],
            answer_by: None,
        })
        .expect("append");
    assert!(matches!(outcome, ActionAppended::Inactive));
    let conn = Connection::open(dir.path().join("new.db")).expect("open");
    let stored: (i64, i64) = conn
        .query_row(
            "SELECT (SELECT COUNT(*) FROM audit_facts), (SELECT COUNT(*) FROM audit WHERE request IS NULL)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("count");
    assert_eq!(stored, (1, 3));
    assert!(verify_chain("acme", &trail(&store), None).broken.is_none());
}

#[test]
fn a_file_database_commits_without_fsync_and_syncs_its_log_itself() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(dir.path().join("sync.db")).expect("open");
    let db = super::lock(&store.db);
    assert!(db.log.is_some(), "the log is synced by the store");
    let synchronous: i64 = db
        .conn
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .expect("pragma");
    assert_eq!(synchronous, 1, "NORMAL: the commit itself does not fsync");
    drop(db);
    let memory = SqliteStore::in_memory().expect("open");
    assert!(super::lock(&memory.db).log.is_none());
}
