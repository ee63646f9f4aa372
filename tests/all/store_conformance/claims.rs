//! The outbox: acknowledgements all or nothing within a tenant, and claims
//! ([`OutboxStore::claim`]): consumers racing for messages never get the same one
//! while its claim holds; an unacknowledged message comes back after its
//! claim runs out (N1, delivered at least once).

use super::{each, sessions, start};
use crate::common::now;
use chrono::Duration;
use standin::model::{NewMessage, kinds};
use standin::store::{Change, Store};
use std::collections::HashSet;
use std::sync::Arc;

fn messages(store: &Arc<dyn Store>, tenant: &str, n: usize) -> Vec<i64> {
    let outbox = (0..n)
        .map(|i| NewMessage {
            tenant: tenant.to_string(),
            to: format!("u-{i}"),
            kind: kinds::STARTED.to_string(),
            session: format!("s-{i}"),
            text: format!("message {i}"),
            created_at: now(),
        })
        .collect();
    let applied = store
        .record(Change {
            outbox,
            ..Change::default()
        })
        .expect("record");
    applied.outbox.iter().map(|m| m.id).collect()
}

#[test]
fn n1_consumers_racing_for_the_outbox_never_share_a_message() {
    each(|name, store: Arc<dyn Store>| {
        let ids = messages(&store, "acme", 120);
        messages(&store, "globex", 5);
        let claimed: Vec<Vec<i64>> = std::thread::scope(|scope| {
            let consumers: Vec<_> = (0..4)
                .map(|_| {
                    let store = &store;
                    scope.spawn(move || {
                        let mut got = Vec::new();
                        loop {
                            let batch = store
                                .claim(Some("acme"), 7, now(), now() + Duration::minutes(5))
                                .expect("claim");
                            if batch.is_empty() {
                                return got;
                            }
                            assert!(batch.iter().all(|m| m.tenant == "acme"), "another tenant's message");
                            got.extend(batch.iter().map(|m| m.id));
                        }
                    })
                })
                .collect();
            consumers.into_iter().map(|c| c.join().expect("consumer")).collect()
        });
        let mut seen = HashSet::new();
        for id in claimed.iter().flatten() {
            assert!(seen.insert(*id), "{name}: message {id} claimed by two consumers");
        }
        assert_eq!(
            seen,
            ids.iter().copied().collect(),
            "{name}: every message claimed once"
        );
        // Claims do not hide messages from `outbox`, nor acknowledge them.
        assert_eq!(store.outbox(Some("acme"), false).expect("outbox").len(), 120, "{name}");
    });
}

#[test]
fn n1_a_claim_holds_until_it_runs_out_and_an_ack_ends_it() {
    each(|name, store: Arc<dyn Store>| {
        let ids = messages(&store, "acme", 3);
        let t0 = now();
        let first = store
            .claim(Some("acme"), 2, t0, t0 + Duration::seconds(30))
            .expect("claim");
        assert_eq!(
            first.iter().map(|m| m.id).collect::<Vec<_>>(),
            ids[..2],
            "{name}: oldest first"
        );
        let second = store.claim(None, 10, t0, t0 + Duration::seconds(30)).expect("claim");
        assert_eq!(
            second.iter().map(|m| m.id).collect::<Vec<_>>(),
            ids[2..],
            "{name}: held ones skipped"
        );
        assert_eq!(store.ack(Some("acme"), &[ids[0]], t0).expect("ack").acked, 1);
        // At the claim's end, what was not acknowledged is claimable again.
        let later = t0 + Duration::seconds(30);
        let again = store
            .claim(Some("acme"), 10, later, later + Duration::seconds(30))
            .expect("claim");
        assert_eq!(
            again.iter().map(|m| m.id).collect::<Vec<_>>(),
            ids[1..],
            "{name}: reclaimed"
        );
        assert!(
            store.claim(Some("acme"), 10, later, later).expect("claim").is_empty(),
            "{name}: claimed twice within the claim"
        );
    });
}

#[test]
fn outbox_acks_all_or_nothing_within_a_tenant() {
    each(|name, store| {
        let s = sessions(&store);
        let a = start(&s, "acme", "u-1", "u-2");
        start(&s, "globex", "u-1", "u-2");
        s.sessions().end(&a.id, now()).expect("end");
        let acme: Vec<i64> = store
            .outbox(Some("acme"), false)
            .expect("outbox")
            .iter()
            .map(|m| m.id)
            .collect();
        let globex: Vec<i64> = store
            .outbox(Some("globex"), false)
            .expect("outbox")
            .iter()
            .map(|m| m.id)
            .collect();
        assert_eq!((acme.len(), globex.len()), (2, 1), "{name}");
        let mixed = store.ack(Some("acme"), &[acme[0], globex[0]], now()).expect("ack");
        assert_eq!((mixed.acked, mixed.unknown.clone()), (0, vec![globex[0]]), "{name}");
        assert_eq!(
            store.outbox(Some("acme"), false).expect("outbox").len(),
            2,
            "{name}: half applied"
        );
        assert_eq!(store.ack(Some("acme"), &acme, now()).expect("ack").acked, 2);
        assert_eq!(
            store.ack(Some("acme"), &acme, now()).expect("ack").acked,
            0,
            "{name}: counted twice"
        );
    });
}
