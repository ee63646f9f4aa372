//! What replicas sharing one PostgreSQL database have beyond the trait's
//! contract: one sweeper at a time, taken over when it goes (S4), news of
//! session changes that empties the other replicas' caches (S5), and
//! actions answered only once their commit is flushed (A3).

use crate::common::now;
use standin::store::{SessionStore, Store};
use standin_store_postgres::PostgresStore;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[test]
fn s4_on_postgres_one_replica_sweeps_at_a_time_and_another_takes_over() {
    let Some(pg) = standin_tests::postgres::PgServer::start() else {
        return;
    };
    let url = pg.create_database("sweepers");
    let connect = || PostgresStore::connect(&url).expect("connect");
    let (first, second) = (connect(), connect());
    assert!(first.lead_sweeps().expect("ask"), "the first to ask leads");
    assert!(!second.lead_sweeps().expect("ask"), "a second leader");
    assert!(first.lead_sweeps().expect("ask"), "the leader stays the leader");
    assert!(!second.lead_sweeps().expect("ask"));
    // The leader's process goes (its connections close): the next to ask leads.
    drop(first);
    let started = Instant::now();
    while !second.lead_sweeps().expect("ask") {
        assert!(started.elapsed().as_secs() < 10, "no one took over");
        std::thread::sleep(Duration::from_millis(20));
    }
    let third = connect();
    assert!(!third.lead_sweeps().expect("ask"), "the new leader holds it");
}

#[test]
fn s5_a_session_ended_on_one_replica_leaves_the_others_caches() {
    let Some(pg) = standin_tests::postgres::PgServer::start() else {
        return;
    };
    let url = pg.create_database("news");
    let replica = || {
        let store: Arc<dyn Store> = Arc::new(PostgresStore::connect(&url).expect("connect"));
        super::sessions(&store)
    };
    let (a, b, deaf) = (replica(), replica(), replica());
    b.follow_changes().expect("follow");
    let id = super::start(&a, "acme", "u-1", "u-2").id;
    for s in [&b, &deaf] {
        assert!(
            s.sessions()
                .authorize(&id, "course.view", None, now())
                .expect("authorize")
                .decision
                .is_allow()
        );
        assert!(s.sessions().is_cached(&id), "read once, then cached");
    }
    a.sessions().end(&id, now()).expect("end");
    let started = Instant::now();
    while b.sessions().is_cached(&id) {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the end never reached replica B"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // A replica that does not follow keeps it until an action finds out;
    // the commit check still refuses that action.
    assert!(deaf.sessions().is_cached(&id));
    let late = deaf
        .sessions()
        .authorize(&id, "course.view", None, now())
        .expect("authorize");
    assert!(!late.decision.is_allow(), "{:?}", late.decision);
    assert!(!deaf.sessions().is_cached(&id));
}

#[test]
fn a3_on_postgres_an_action_is_answered_only_once_its_commit_is_in_the_flushed_wal() {
    let Some(pg) = standin_tests::postgres::PgServer::start() else {
        return;
    };
    let url = pg.create_database("flushes");
    pg.sql("flushes", "CREATE EXTENSION pg_walinspect");
    let store: Arc<dyn Store> = Arc::new(PostgresStore::connect(&url).expect("connect"));
    let s = super::sessions(&store);
    let id = super::start(&s, "acme", "u-1", "u-2").id;
    let mut db = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
    let lsn = |db: &mut postgres::Client, what: &str| -> String {
        db.query_one(&format!("SELECT {what}()::text"), &[])
            .expect("lsn")
            .get(0)
    };
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
        let xid: String = db
            .query_one("SELECT xmin::text FROM audit ORDER BY seq DESC LIMIT 1", &[])
            .expect("the action's row")
            .get(0);
        // Everything flushed now (a synchronous commit that writes), so
        // the WAL can be read up to here.
        db.batch_execute("BEGIN; CREATE TEMP TABLE t () ON COMMIT DROP; COMMIT")
            .expect("flush");
        let commit: String = db
            .query_one(
                "SELECT end_lsn::text FROM pg_get_wal_records_info($1::text::pg_lsn, pg_current_wal_flush_lsn())
                 WHERE record_type = 'COMMIT' AND xid::text = $2",
                &[&from, &xid],
            )
            .expect("the commit of the action's row")
            .get(0);
        let durable: bool = db
            .query_one("SELECT $1::text::pg_lsn <= $2::text::pg_lsn", &[&commit, &flushed])
            .expect("compare")
            .get(0);
        assert!(
            durable,
            "action {i} answered at WAL {flushed} flushed, its commit ends at {commit}"
        );
    }
}

/// What the server said reaches whoever reads the store's error: the
/// driver's own words are only "db error".
#[test]
fn on_postgres_a_database_error_says_what_the_server_said() {
    let Some(pg) = standin_tests::postgres::PgServer::start() else {
        return;
    };
    let url = pg.create_database("errors");
    let store: Arc<dyn Store> = Arc::new(PostgresStore::connect(&url).expect("connect"));
    let s = super::sessions(&store);
    let id = super::start(&s, "acme", "u-1", "u-2").id;
    pg.sql("errors", "ALTER TABLE audit RENAME TO audit_gone");
    let e = s
        .sessions()
        .authorize(&id, "course.view", None, now())
        .expect_err("no audit table");
    let said = e.to_string();
    assert!(
        said.contains(r#"relation "audit" does not exist"#) && said.contains("SQLSTATE 42P01"),
        "{said}"
    );
}
