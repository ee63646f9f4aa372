//! The `Store` contract (see the trait's documentation), checked on every
//! backend through the trait alone, or through `Standin` over it where the
//! session logic builds the changes. A new backend adds itself to [`each`]
//! and must pass all of it.

use crate::common::{host, now};
use serde_json::json;
use standin::access::{ApiKey, Scope, key_hash};
use standin::model::SessionRecord;
use standin::policies::NewPolicy;
use standin::store::{ActionAppended, ActionRecord, AuditFilter, Store, StoreError};
use standin::{Standin, StartRequest};
use standin_store_sqlite::SqliteStore;
use std::sync::Arc;

mod batch;
mod claims;
mod durable;
mod generic;
mod idle;
mod paging;
mod replicas;
mod sweeps;
mod updates;
mod webhooks;

/// Runs `check` on a fresh store of every backend: SQLite, and PostgreSQL
/// on a throwaway server of the system's (skipped with a note where none
/// is installed, unless `STANDIN_REQUIRE_POSTGRES=1`).
fn each(check: impl Fn(&str, Arc<dyn Store>)) {
    let dir = tempfile::tempdir().expect("temp dir");
    check(
        "sqlite",
        Arc::new(SqliteStore::open(dir.path().join("conformance.db")).expect("open sqlite")),
    );
    if let Some(pg) = standin_tests::postgres::PgServer::start() {
        let url = pg.create_database("conformance");
        let store = standin_store_postgres::PostgresStore::connect(&url).expect("connect to postgres");
        check("postgres", Arc::new(store));
    }
}

fn sessions(store: &Arc<dyn Store>) -> Standin {
    Standin::new(host().clone(), store.clone()).with_builtin_fallback(true)
}

fn start_request(tenant: &str, actor: &str, target: &str) -> StartRequest {
    serde_json::from_value(json!({
        "tenant": tenant, "reason": "conformance",
        "actor": {"id": actor, "roles": ["super_admin"]},
        "target": {"id": target, "active": true, "has_logged_in": true},
    }))
    .expect("start request")
}

fn start(s: &Standin, tenant: &str, actor: &str, target: &str) -> SessionRecord {
    s.sessions()
        .start(&start_request(tenant, actor, target), None, now())
        .expect("start")
        .session
        .expect("allowed")
}

fn trail(store: &Arc<dyn Store>, tenant: &str) -> Vec<standin::audit::AuditEvent> {
    store
        .audit(&AuditFilter {
            tenant: Some(tenant.to_string()),
            ..AuditFilter::default()
        })
        .expect("audit")
}

#[test]
fn one_chain_per_tenant_gapless_sealed_in_order() {
    each(|name, store| {
        let s = sessions(&store);
        std::thread::scope(|scope| {
            for t in 0..4 {
                let s = &s;
                scope.spawn(move || {
                    let tenant = if t % 2 == 0 { "acme" } else { "globex" };
                    let session = start(s, tenant, &format!("a-{t}"), &format!("t-{t}"));
                    for i in 0..25 {
                        let action = if i % 3 == 0 { "billing.purchase" } else { "course.view" };
                        s.sessions()
                            .authorize(&session.id, action, None, now())
                            .expect("authorize");
                    }
                    s.sessions().end(&session.id, now()).expect("end");
                });
            }
        });
        for tenant in ["acme", "globex"] {
            let events = trail(&store, tenant);
            assert_eq!(events.len(), 2 * 27, "{name}: {tenant}");
            for (i, e) in events.iter().enumerate() {
                assert_eq!(e.seq, i as u64 + 1, "{name}: {tenant}'s seq has a gap or a repeat");
                assert_eq!(e.tenant, tenant);
                if i > 0 {
                    assert_eq!(e.prev_hash, events[i - 1].hash, "{name}: not sealed on its predecessor");
                    assert!(e.at >= events[i - 1].at, "{name}: the trail runs backwards");
                }
            }
            let chain = standin::audit::verify_chain(tenant, &events, None);
            assert!(chain.broken.is_none(), "{name}: {:?}", chain.broken);
        }
    });
}

#[test]
fn one_active_session_per_actor_when_starts_race() {
    each(|name, store| {
        let s = sessions(&store);
        let won: Vec<bool> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..6)
                .map(|i| {
                    let s = &s;
                    scope.spawn(move || {
                        let request = start_request("acme", "u-1", &format!("t-{i}"));
                        // A start that loses the race is a deny (E7), never an error.
                        let outcome = s
                            .sessions()
                            .start(&request, None, now())
                            .expect("a racing start is answered");
                        if outcome.session.is_none() {
                            let codes: Vec<&str> = outcome.decision.codes().collect();
                            assert_eq!(codes, ["nested-impersonation"], "{}", outcome.decision.to_json());
                        }
                        outcome.session.is_some()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("thread")).collect()
        });
        let active = store.sessions("acme", true).expect("sessions");
        let of_actor: Vec<_> = active.iter().filter(|x| x.actor == "u-1" && x.depth == 0).collect();
        assert_eq!(
            of_actor.len(),
            1,
            "{name}: {} active sessions for one actor",
            of_actor.len()
        );
        assert_eq!(won.iter().filter(|w| **w).count(), 1, "{name}: {won:?}");
    });
}

#[test]
fn an_action_is_appended_only_while_its_session_is_active() {
    each(|name, store| {
        let s = sessions(&store);
        let session = start(&s, "acme", "u-1", "u-2");
        let started = trail(&store, "acme").pop().expect("started event");
        let row = |at| ActionRecord {
            session: session.id.clone(),
            now: at,
            audit: vec![standin::audit::AuditEvent {
                event: "action.allowed".to_string(),
                action: Some("course.view".to_string()),
                ..started.clone()
            }],
            answer_by: None,
        };
        match store.append_action(row(now())).expect("append") {
            ActionAppended::Committed(rows) => assert_eq!(rows.len(), 1, "{name}"),
            other => panic!("{name}: an active session's row was not committed: {other:?}"),
        }
        // Past its deadline, even before anyone recorded the expiry.
        let late = session.expires_at + chrono::Duration::seconds(1);
        assert!(
            matches!(
                store.append_action(row(late)).expect("append"),
                ActionAppended::Inactive
            ),
            "{name}"
        );
        s.sessions().end(&session.id, now()).expect("end");
        let before = trail(&store, "acme").len();
        assert!(
            matches!(
                store.append_action(row(now())).expect("append"),
                ActionAppended::Inactive
            ),
            "{name}"
        );
        assert_eq!(
            trail(&store, "acme").len(),
            before,
            "{name}: a row was written after the end"
        );
    });
}

#[test]
fn an_end_racing_actions_leaves_no_allowed_action_after_it() {
    each(|name, store| {
        let s = sessions(&store);
        let session = start(&s, "acme", "u-1", "u-2");
        let answers: Vec<bool> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..3)
                .map(|_| {
                    let (s, id) = (&s, session.id.clone());
                    scope.spawn(move || {
                        (0..40)
                            .map(|_| {
                                s.sessions()
                                    .authorize(&id, "course.view", None, now())
                                    .expect("authorize")
                                    .decision
                                    .is_allow()
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            std::thread::sleep(std::time::Duration::from_millis(5));
            s.sessions().end(&session.id, now()).expect("end");
            workers.into_iter().flat_map(|w| w.join().expect("thread")).collect()
        });
        let events = trail(&store, "acme");
        let ended = events
            .iter()
            .position(|e| e.event == "session.ended")
            .expect("ended event");
        assert!(
            !events[ended..].iter().any(|e| e.event == "action.allowed"),
            "{name}: an allowed action after the end"
        );
        let allowed_in_trail = events.iter().filter(|e| e.event == "action.allowed").count();
        assert_eq!(
            answers.iter().filter(|a| **a).count(),
            allowed_in_trail,
            "{name}: callers told otherwise"
        );
    });
}

#[test]
fn policy_versions_count_per_tenant_and_roll_back() {
    each(|name, store| {
        let digest = standin::Digest::of(standin::DEFAULT_POLICY).to_string();
        let put = |tenant, activate| {
            store
                .put_policy(NewPolicy {
                    tenant,
                    component: standin::DEFAULT_POLICY,
                    digest: &digest,
                    settings: "{}",
                    info: None,
                    uploaded_by: None,
                    note: None,
                    at: now(),
                    activate,
                })
                .expect("put")
        };
        assert_eq!(put("acme", true).version, 1, "{name}");
        assert_eq!(put("globex", true).version, 1, "{name}: versions are per tenant");
        assert_eq!(put("acme", false).version, 2, "{name}");
        assert_eq!(store.active_ref("acme").expect("active").map(|r| r.version), Some(1));
        store.activate("acme", 2, Some("ops"), now()).expect("activate");
        assert_eq!(store.active_ref("acme").expect("active").map(|r| r.version), Some(2));
        assert_eq!(
            store.rollback("acme", None, now()).expect("rollback").version,
            1,
            "{name}"
        );
        assert!(
            matches!(
                store.rollback("globex", None, now()),
                Err(StoreError::NothingToRollBack(_))
            ),
            "{name}"
        );
        assert!(
            matches!(
                store.activate("acme", 9, None, now()),
                Err(StoreError::UnknownVersion { .. })
            ),
            "{name}"
        );
        assert_eq!(
            store.component(&digest).expect("component").as_deref(),
            Some(standin::DEFAULT_POLICY)
        );
    });
}

#[test]
fn keys_are_found_by_hash_only_and_revoked_once() {
    each(|name, store| {
        let key = ApiKey {
            id: "k-1".to_string(),
            tenant: "acme".to_string(),
            scope: Scope::Decide,
            name: None,
            created_at: now(),
            revoked_at: None,
        };
        store.put_key(&key, &key_hash("stn_secret")).expect("put key");
        assert_eq!(
            store.key_by_hash(&key_hash("stn_secret")).expect("find").map(|k| k.id),
            Some("k-1".into())
        );
        assert!(
            store.key_by_hash(&key_hash("stn_other")).expect("find").is_none(),
            "{name}"
        );
        assert!(
            store.keys("globex").expect("keys").is_empty(),
            "{name}: another tenant's keys"
        );
        let first = store
            .revoke_key("k-1", now())
            .expect("revoke")
            .expect("known")
            .revoked_at;
        let later = now() + chrono::Duration::hours(1);
        let second = store
            .revoke_key("k-1", later)
            .expect("revoke")
            .expect("known")
            .revoked_at;
        assert!(
            first.is_some() && first == second,
            "{name}: a second revoke moved the time"
        );
        assert!(store.revoke_key("k-none", now()).expect("revoke").is_none(), "{name}");
    });
}

#[test]
fn deadlines_and_due_sessions() {
    each(|name, store| {
        let s = sessions(&store);
        assert!(store.next_deadline().expect("deadline").is_none(), "{name}");
        let session = start(&s, "acme", "u-1", "u-2");
        assert_eq!(
            store.next_deadline().expect("deadline"),
            Some(session.expires_at),
            "{name}"
        );
        assert!(store.due(now()).expect("due").is_empty(), "{name}");
        assert_eq!(
            store.due(session.expires_at).expect("due"),
            vec![session.id.clone()],
            "{name}"
        );
        s.sessions().end(&session.id, now()).expect("end");
        assert!(
            store.next_deadline().expect("deadline").is_none(),
            "{name}: an ended session is due"
        );
    });
}

#[test]
fn audit_pages_follow_the_cursor_without_gaps_or_repeats() {
    each(|name, store| {
        let s = sessions(&store);
        let session = start(&s, "acme", "u-1", "u-2");
        for _ in 0..10 {
            s.sessions()
                .authorize(&session.id, "course.view", None, now())
                .expect("authorize");
        }
        let whole = trail(&store, "acme");
        let mut paged = Vec::new();
        let mut filter = AuditFilter {
            tenant: Some("acme".to_string()),
            limit: Some(3),
            ..AuditFilter::default()
        };
        loop {
            let page = store.audit(&filter).expect("page");
            assert!(page.len() <= 3, "{name}: a page over its limit");
            let Some(last) = page.last() else { break };
            filter.after_seq = Some(last.seq);
            paged.extend(page);
        }
        let seqs = |events: &[standin::audit::AuditEvent]| events.iter().map(|e| e.seq).collect::<Vec<_>>();
        assert_eq!(seqs(&paged), seqs(&whole), "{name}");
    });
}
