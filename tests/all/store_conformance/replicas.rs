//! What replicas sharing one PostgreSQL database have beyond the trait's
//! contract: one sweeper at a time, taken over when it goes (S4), news of
//! session changes that empties the other replicas' caches (S5). Actions
//! answered only once their commit is flushed (A3) are in `durable`.

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
