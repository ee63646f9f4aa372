//! Webhook endpoints ([`WebhookStore`]): a new endpoint starts at its
//! tenant's head (WH1); deliverers racing for endpoints never hold one at
//! once (WH2); a deliverer that lost its lease records nothing (WH3); dead
//! letters are listed and replayed (WH4).

use super::{each, sessions, start, trail};
use crate::common::now;
use chrono::Duration;
use standin::store::Store;
use standin::webhooks::{Cursor, Delivery, DeliveryStatus, NewEndpoint, Progress};
use std::collections::HashSet;
use std::sync::Arc;

fn add(store: &Arc<dyn Store>, tenant: &str, url: &str) -> String {
    let new = NewEndpoint {
        url: url.to_string(),
        events: vec!["*".into()],
        description: None,
    };
    sessions(store).webhooks().add(tenant, new, now()).expect("add").0.id
}

#[test]
fn wh1_a_new_endpoint_starts_at_its_tenant_s_head() {
    each(|name, store| {
        let s = sessions(&store);
        start(&s, "acme", "a-1", "t-1");
        start(&s, "globex", "a-1", "t-1");
        let head = trail(&store, "acme").last().expect("events").seq;
        let id = add(&store, "acme", "https://hooks.example/acme");
        let endpoint = store.webhook(&id).expect("read").expect("stored");
        assert_eq!(endpoint.cursor.seq, head, "{name}");
        // And at the tenant's last outbox message (`outbox.*` endpoints).
        let last_message = store
            .outbox_page(Some("acme"), true, None, 1000)
            .expect("outbox")
            .last()
            .map_or(0, |m| m.id);
        assert!(last_message > 0, "{name}: the start wrote a message");
        assert_eq!(endpoint.cursor.outbox, last_message, "{name}");
        assert!(
            s.webhooks()
                .events_after("acme", endpoint.cursor.seq, 10)
                .expect("after")
                .is_empty()
        );
        start(&s, "acme", "a-2", "t-2");
        let next = s
            .webhooks()
            .events_after("acme", endpoint.cursor.seq, 10)
            .expect("after");
        assert_eq!(next.first().map(|e| e.seq), Some(head + 1), "{name}");
        assert!(next.iter().all(|e| e.tenant == "acme"), "{name}");
        // Tenants' endpoints are their own.
        assert!(s.webhooks().get("globex", &id).is_err(), "{name}");
        assert_eq!(s.webhooks().list("acme").expect("list").len(), 1, "{name}");
        assert!(s.webhooks().list("globex").expect("list").is_empty(), "{name}");
    });
}

#[test]
fn wh2_deliverers_racing_never_hold_one_endpoint_at_once() {
    each(|name, store| {
        let ids: HashSet<String> = (0..12)
            .map(|i| add(&store, &format!("t{}", i % 3), &format!("https://hooks.example/{i}")))
            .collect();
        // Caught up, an endpoint is not due; an event makes it due.
        assert!(
            store
                .lease_webhooks("early", now(), now(), 100)
                .expect("lease")
                .is_empty(),
            "{name}"
        );
        let s = sessions(&store);
        for t in 0..3 {
            start(&s, &format!("t{t}"), "a-1", "t-1");
        }
        let until = now() + Duration::seconds(30);
        let held: Vec<Vec<String>> = std::thread::scope(|scope| {
            let deliverers: Vec<_> = (0..4)
                .map(|d| {
                    let store = &store;
                    scope.spawn(move || {
                        let mut got = Vec::new();
                        loop {
                            let batch = store.lease_webhooks(&format!("d{d}"), now(), until, 2).expect("lease");
                            if batch.is_empty() {
                                return got;
                            }
                            got.extend(batch.into_iter().map(|e| e.id));
                        }
                    })
                })
                .collect();
            deliverers.into_iter().map(|d| d.join().expect("deliverer")).collect()
        });
        let all: Vec<&String> = held.iter().flatten().collect();
        let distinct: HashSet<&String> = all.iter().copied().collect();
        assert_eq!(all.len(), distinct.len(), "{name}: an endpoint leased twice");
        assert_eq!(distinct.len(), ids.len(), "{name}: every endpoint leased once");
        // Held until `until`; then anyone may take them again.
        assert!(
            store
                .lease_webhooks("late", now(), until, 100)
                .expect("lease")
                .is_empty(),
            "{name}"
        );
        assert_eq!(
            store
                .lease_webhooks("late", until, until + Duration::seconds(30), 100)
                .expect("lease")
                .len(),
            12
        );
    });
}

#[test]
fn wh3_a_deliverer_that_lost_its_lease_records_nothing() {
    each(|name, store| {
        let id = add(&store, "acme", "https://hooks.example/a");
        let start_seq = store.webhook(&id).expect("read").expect("stored").cursor.seq;
        start(&sessions(&store), "acme", "a-1", "t-1");
        let t0 = now();
        assert_eq!(
            store
                .lease_webhooks("a", t0, t0 + Duration::seconds(5), 10)
                .expect("lease")
                .len(),
            1
        );
        // A pauses past its lease; B takes the endpoint.
        let later = t0 + Duration::seconds(6);
        assert_eq!(
            store
                .lease_webhooks("b", later, later + Duration::seconds(5), 10)
                .expect("lease")
                .len(),
            1
        );
        let mut progress = Progress::new(&id, "a");
        progress.cursor = Some(Cursor::default().passed(start_seq + 1));
        progress.log.push(Delivery::new(
            &id,
            start_seq + 1,
            "msg_x",
            "session.started",
            DeliveryStatus::Delivered,
            1,
            Some(200),
            None,
            later,
        ));
        assert!(
            !store.advance_webhook(&progress).expect("advance"),
            "{name}: a lost lease recorded"
        );
        let e = store.webhook(&id).expect("read").expect("stored");
        assert_eq!(e.cursor.seq, start_seq, "{name}");
        assert!(
            store.webhook_deliveries(&id, None, 10).expect("log").is_empty(),
            "{name}"
        );
        // B's round lands, and releasing lets anyone lease it again at once.
        progress.holder = "b".into();
        progress.release = true;
        assert!(store.advance_webhook(&progress).expect("advance"), "{name}");
        assert_eq!(
            store.webhook(&id).expect("read").expect("stored").cursor.seq,
            start_seq + 1,
            "{name}"
        );
        assert_eq!(store.webhook_deliveries(&id, None, 10).expect("log").len(), 1, "{name}");
        start(&sessions(&store), "acme", "a-2", "t-2");
        assert_eq!(
            store
                .lease_webhooks("c", later, later + Duration::seconds(5), 10)
                .expect("lease")
                .len(),
            1
        );
    });
}

#[test]
fn wh4_dead_letters_are_listed_and_replayed() {
    each(|name, store| {
        let id = add(&store, "acme", "https://hooks.example/a");
        start(&sessions(&store), "acme", "a-1", "t-1");
        let t0 = now();
        store
            .lease_webhooks("a", t0, t0 + Duration::seconds(5), 10)
            .expect("lease");
        let mut progress = Progress::new(&id, "a");
        let mut retry = Cursor::default().passed(3);
        retry.attempts = 2;
        retry.next_at = Some(t0 + Duration::hours(1));
        progress.cursor = Some(retry);
        progress.release = true;
        for (seq, status) in [
            (1, DeliveryStatus::Delivered),
            (2, DeliveryStatus::Dead),
            (3, DeliveryStatus::Dead),
        ] {
            progress.log.push(Delivery::new(
                &id,
                seq,
                &format!("msg_{seq}"),
                "action.denied",
                status,
                3,
                Some(500),
                Some("boom".into()),
                t0,
            ));
        }
        assert!(store.advance_webhook(&progress).expect("advance"), "{name}");
        let dead = store
            .webhook_deliveries(&id, Some(DeliveryStatus::Dead), 10)
            .expect("dead");
        assert_eq!(
            dead.iter().map(|d| d.seq).collect::<Vec<_>>(),
            [3, 2],
            "{name}: newest first"
        );
        assert_eq!(dead[0].response_status, Some(500));
        // Waiting for a retry in an hour: not due...
        assert!(
            store
                .lease_webhooks("b", t0, t0 + Duration::seconds(5), 10)
                .expect("lease")
                .is_empty(),
            "{name}"
        );
        // ...until a replay, which is due at once.
        assert_eq!(store.replay_webhook(&id, t0).expect("replay"), 2, "{name}");
        let replaying = store
            .webhook_deliveries(&id, Some(DeliveryStatus::Replaying), 10)
            .expect("replaying");
        assert_eq!(replaying.len(), 2, "{name}");
        assert_eq!(
            store
                .lease_webhooks("b", t0, t0 + Duration::seconds(5), 10)
                .expect("lease")
                .len(),
            1,
            "{name}"
        );
        // Delivered rows go after the retention; dead and replaying stay.
        assert_eq!(
            store.prune_webhook_log(t0 + Duration::seconds(1)).expect("prune"),
            1,
            "{name}"
        );
        assert_eq!(store.webhook_deliveries(&id, None, 10).expect("log").len(), 2, "{name}");
        assert!(store.remove_webhook(&id).expect("remove"), "{name}");
        assert!(store.webhook(&id).expect("read").is_none(), "{name}");
    });
}
