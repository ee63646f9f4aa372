//! On PostgreSQL, an action is answered only once its commit is in the
//! flushed WAL (A3), although a group commit releases the tenant's chain
//! head before that flush (so replicas' commits of one tenant do not queue
//! behind each other's flushes), and a read of audit rows returns nothing a
//! crash could take back. Each check reads the WAL with `pg_walinspect`
//! or waits for a standby that never comes.

use crate::common::now;
use postgres::Client;
use standin::store::{AuditFilter, Store};
use standin_store_postgres::{Flush, PostgresStore};
use standin_tests::postgres::PgServer;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn lsn(db: &mut Client, what: &str) -> String {
    db.query_one(&format!("SELECT {what}()::text"), &[])
        .expect("lsn")
        .get(0)
}

/// Whether the commit of the transaction that wrote audit row `seq` of
/// `acme` ends at or before `flushed` (the WAL read from `from`).
fn committed_by(db: &mut Client, from: &str, seq: i64, flushed: &str) -> (bool, String) {
    let xid: String = db
        .query_one(
            "SELECT xmin::text FROM audit WHERE tenant = 'acme' AND seq = $1",
            &[&seq],
        )
        .expect("the row")
        .get(0);
    // Everything flushed now (a synchronous commit that writes), so the
    // WAL can be read up to here.
    db.batch_execute("BEGIN; CREATE TEMP TABLE t () ON COMMIT DROP; COMMIT")
        .expect("flush");
    let commit: String = db
        .query_one(
            "SELECT end_lsn::text FROM pg_get_wal_records_info($1::text::pg_lsn, pg_current_wal_flush_lsn())
             WHERE record_type = 'COMMIT' AND xid::text = $2",
            &[&from, &xid],
        )
        .expect("the commit of the row")
        .get(0);
    let durable: bool = db
        .query_one("SELECT $1::text::pg_lsn <= $2::text::pg_lsn", &[&commit, &flushed])
        .expect("compare")
        .get(0);
    (durable, commit)
}

fn last_seq(db: &mut Client) -> i64 {
    db.query_one("SELECT max(seq) FROM audit WHERE tenant = 'acme'", &[])
        .expect("seq")
        .get(0)
}

#[test]
fn a3_on_postgres_an_action_is_answered_only_once_its_commit_is_in_the_flushed_wal() {
    let Some(pg) = PgServer::start() else {
        return;
    };
    for (name, flush) in [("after", Flush::AfterCommit), ("in", Flush::InCommit)] {
        let url = pg.create_database(name);
        pg.sql(name, "CREATE EXTENSION pg_walinspect");
        answered_once_flushed(&url, flush);
    }
}

fn answered_once_flushed(url: &str, flush: Flush) {
    let store: Arc<dyn Store> = Arc::new(PostgresStore::connect_with(url, flush).expect("connect"));
    let s = super::sessions(&store);
    let id = super::start(&s, "acme", "u-1", "u-2").id;
    let mut db = Client::connect(url, postgres::NoTls).expect("connect");
    for i in 0..20 {
        let from = lsn(&mut db, "pg_current_wal_insert_lsn");
        let answer = s
            .sessions()
            .authorize(&id, "course.view", Some(&format!("r-{i}")), now())
            .expect("authorize");
        assert!(answer.decision.is_allow(), "{:?}", answer.decision);
        // What had reached the disk when the answer came: read first, before
        // the WAL writer's next round (every 200 ms) flushes anything.
        let flushed = lsn(&mut db, "pg_current_wal_flush_lsn");
        let seq = last_seq(&mut db);
        let (durable, commit) = committed_by(&mut db, &from, seq, &flushed);
        assert!(
            durable,
            "{flush:?}: action {i} answered at WAL {flushed} flushed, its commit ends at {commit}"
        );
    }
}

/// With a synchronous standby named that never connects, every commit
/// that waits for its flush waits forever (holding its locks): a group
/// commit's rows are committed and its tenant's head free while its call
/// still waits, and the call is answered once the wait ends.
#[test]
fn a3_on_postgres_a_group_commit_releases_the_chain_head_before_it_waits_for_its_flush() {
    let Some(pg) = PgServer::start() else {
        return;
    };
    let url = pg.create_database("heads");
    let store: Arc<dyn Store> = Arc::new(PostgresStore::connect(&url).expect("connect"));
    let s = Arc::new(super::sessions(&store));
    let id = super::start(&s, "acme", "u-1", "u-2").id;
    let mut db = Client::connect(&url, postgres::NoTls).expect("connect");
    let before = last_seq(&mut db);
    let reload = |db: &mut Client, sql: &str| {
        db.batch_execute(sql).expect(sql);
        db.batch_execute("SELECT pg_reload_conf()").expect("reload");
    };
    // A standby that never comes.
    reload(&mut db, "ALTER SYSTEM SET synchronous_standby_names = 'nobody'");
    std::thread::sleep(Duration::from_millis(300));
    let (answered, answer) = std::sync::mpsc::channel();
    let caller = std::thread::spawn({
        let s = s.clone();
        let id = id.clone();
        move || {
            let a = s.sessions().authorize(&id, "course.view", None, now());
            answered.send(()).expect("send");
            a
        }
    });
    let started = Instant::now();
    while last_seq(&mut db) == before {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the action's row was never committed: its commit waits for the flush"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    db.batch_execute("BEGIN; SELECT 1 FROM chain_heads WHERE tenant = 'acme' FOR UPDATE NOWAIT; ROLLBACK")
        .expect("the head is free while the call waits for its flush");
    std::thread::sleep(Duration::from_millis(200));
    assert!(answer.try_recv().is_err(), "answered before its commit was flushed");
    reload(&mut db, "ALTER SYSTEM RESET synchronous_standby_names");
    let a = caller.join().expect("caller").expect("authorize");
    assert!(a.decision.is_allow(), "{:?}", a.decision);
}

/// A row committed without its flush (as a group commit's is, until its
/// flush returns, or a crashed replica's) is durable before a read returns
/// it: what a webhook, an SSF stream or the audit API passes on, a crash
/// cannot take back.
#[test]
fn a3_on_postgres_audit_rows_are_durable_before_a_read_returns_them() {
    let Some(pg) = PgServer::start() else {
        return;
    };
    let url = pg.create_database("reads");
    pg.sql("reads", "CREATE EXTENSION pg_walinspect");
    let store: Arc<dyn Store> = Arc::new(PostgresStore::connect(&url).expect("connect"));
    let s = super::sessions(&store);
    super::start(&s, "acme", "u-1", "u-2");
    let mut db = Client::connect(&url, postgres::NoTls).expect("connect");
    for i in 0..10 {
        let from = lsn(&mut db, "pg_current_wal_insert_lsn");
        db.batch_execute(
            "BEGIN; SET LOCAL synchronous_commit TO off;
             INSERT INTO audit SELECT * FROM jsonb_populate_record(NULL::audit, (
               SELECT to_jsonb(a) || jsonb_build_object('seq', a.seq + 1000) FROM audit a
               WHERE tenant = 'acme' ORDER BY seq DESC LIMIT 1));
             COMMIT",
        )
        .expect("a row committed without its flush");
        let seq = last_seq(&mut db);
        let read = store
            .audit(&AuditFilter {
                tenant: Some("acme".into()),
                ..AuditFilter::default()
            })
            .expect("read");
        let flushed = lsn(&mut db, "pg_current_wal_flush_lsn");
        assert_eq!(read.last().map(|e| e.seq as i64), Some(seq));
        let (durable, commit) = committed_by(&mut db, &from, seq, &flushed);
        assert!(
            durable,
            "read {i} returned a row whose commit ends at {commit}, WAL flushed to {flushed}"
        );
    }
}
