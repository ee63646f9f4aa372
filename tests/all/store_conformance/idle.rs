//! Idle timeouts (IT1) on every backend, and on replicas sharing one
//! PostgreSQL database: a session with no action for its timeout ends
//! `idle` at that moment; an action one second before keeps it alive; the
//! last action's audit row is the activity record every replica reads, so
//! none sees an idle session as alive, nor ends one another kept alive.

use super::{each, sessions, start};
use crate::common::now;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use standin::Standin;
use standin::model::{EndReason, SessionState};
use standin::store::Store;
use standin_store_postgres::PostgresStore;
use std::sync::Arc;

fn at(seconds: i64) -> DateTime<Utc> {
    now() + Duration::seconds(seconds)
}

/// Tenant `acme` on the built-in policy with a 600 s idle timeout.
fn idle_tenant(s: &Standin) {
    s.policies()
        .set("acme", None, &json!({"idle_timeout_seconds": 600}).to_string(), now())
        .expect("policy set");
}

fn allowed(s: &Standin, id: &str, t: i64) -> bool {
    s.sessions()
        .authorize(id, "course.view", None, at(t))
        .expect("authorize")
        .decision
        .is_allow()
}

#[test]
fn it1_a_session_idle_past_its_timeout_ends_idle_at_its_deadline() {
    each(|name, store: Arc<dyn Store>| {
        let s = sessions(&store);
        idle_tenant(&s);
        let id = start(&s, "acme", "u-1", "u-2").id;
        assert_eq!(
            s.sessions().session(&id, now()).expect("read").idle_timeout_seconds,
            Some(600)
        );
        // One second before the timeout: it keeps the session alive.
        assert!(allowed(&s, &id, 599), "{name}");
        assert_eq!(
            store.next_deadline().expect("next deadline"),
            Some(at(1199)),
            "{name}: the sweeper wakes at the idle deadline"
        );
        assert!(
            s.sessions().sweep(at(1198)).expect("sweep").is_empty(),
            "{name}: not yet"
        );
        let ended = s.sessions().sweep(at(1199)).expect("sweep");
        assert_eq!(ended.len(), 1, "{name}");
        let session = s.sessions().session(&id, at(1300)).expect("read");
        assert_eq!(session.state, SessionState::Ended, "{name}");
        assert_eq!(session.end_reason, Some(EndReason::Idle), "{name}");
        assert_eq!(session.ended_at, Some(at(1199)), "{name}: ended at its idle deadline");
        assert!(!allowed(&s, &id, 1300), "{name}");
        // The target is told it ended, as for any end.
        let told = s.outbox().list(Some("acme"), true).expect("outbox");
        assert!(
            told.iter().any(|m| m.session == id && m.kind == "impersonation.ended"),
            "{name}: {told:?}"
        );
    });
}

#[test]
fn it1_the_banner_counts_down_to_the_idle_deadline_and_warns_before_it() {
    each(|name, store: Arc<dyn Store>| {
        let s = sessions(&store);
        idle_tenant(&s);
        let id = start(&s, "acme", "u-1", "u-2").id;
        let early = s.sessions().status(&id, at(100)).expect("banner");
        assert_eq!(early.expires_at, at(600), "{name}: idle deadline before the expiry");
        assert_eq!(early.idle_timeout_seconds, Some(600), "{name}");
        assert!(!early.expiring_soon, "{name}");
        let late = s.sessions().status(&id, at(400)).expect("banner");
        assert!(late.expiring_soon, "{name}: warned in its last minutes");
        assert_eq!(late.remaining_seconds, 200, "{name}");
        // An action moves the deadline, and the warning goes.
        assert!(allowed(&s, &id, 450), "{name}");
        let after = s.sessions().status(&id, at(460)).expect("banner");
        assert_eq!((after.expires_at, after.expiring_soon), (at(1050), false), "{name}");
    });
}

#[test]
fn it1_an_idle_session_touched_after_its_deadline_ends_idle_not_allowed() {
    each(|name, store: Arc<dyn Store>| {
        let s = sessions(&store);
        idle_tenant(&s);
        let id = start(&s, "acme", "u-1", "u-2").id;
        assert!(allowed(&s, &id, 100), "{name}");
        // No sweep ran: the call itself finds it idle since 700.
        let answer = s
            .sessions()
            .authorize(&id, "course.view", None, at(701))
            .expect("authorize");
        assert!(!answer.decision.is_allow(), "{name}");
        assert_eq!(answer.decision.reasons()[0].rule, "IT1", "{name}");
        let session = s.sessions().session(&id, at(701)).expect("read");
        assert_eq!(
            (session.end_reason, session.ended_at),
            (Some(EndReason::Idle), Some(at(700))),
            "{name}"
        );
    });
}

#[test]
fn it1_without_an_idle_timeout_a_quiet_session_lasts_until_it_expires() {
    each(|name, store: Arc<dyn Store>| {
        let s = sessions(&store);
        let id = start(&s, "acme", "u-1", "u-2").id;
        assert!(s.sessions().sweep(at(3000)).expect("sweep").is_empty(), "{name}");
        assert!(allowed(&s, &id, 3000), "{name}");
    });
}

#[test]
fn it1_on_postgres_replicas_the_store_decides_idleness_not_a_cache() {
    let Some(pg) = standin_tests::postgres::PgServer::start() else {
        return;
    };
    let url = pg.create_database("idle");
    let replica = || {
        let store: Arc<dyn Store> = Arc::new(PostgresStore::connect(&url).expect("connect"));
        sessions(&store)
    };
    let (a, b) = (replica(), replica());
    idle_tenant(&a);
    let id = start(&a, "acme", "u-1", "u-2").id;
    // `b` keeps it alive; `a`, which started it, has seen nothing since.
    assert!(allowed(&b, &id, 500));
    assert!(
        allowed(&a, &id, 900),
        "a's own view says idle since 600; the store says 1100"
    );
    assert!(
        a.sessions().sweep(at(1499)).expect("sweep").is_empty(),
        "alive until 1500"
    );
    assert_eq!(b.sessions().sweep(at(1500)).expect("sweep").len(), 1);
    // Ended on `b`: neither replica lets an action in.
    assert!(!allowed(&a, &id, 1501));
    assert!(!allowed(&b, &id, 1501));
    let session = a.sessions().session(&id, at(1501)).expect("read");
    assert_eq!(session.end_reason, Some(EndReason::Idle));
}
