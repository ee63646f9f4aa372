//! Expiry where several hosts share a store: each expiry is recorded once
//! however many sweep at once (S4).

use super::{each, sessions, start};
use crate::common::now;
use chrono::Duration;
use standin::store::{AuditFilter, Store};
use std::sync::Arc;

#[test]
fn s4_hosts_sweeping_together_record_each_expiry_once() {
    each(|name, store: Arc<dyn Store>| {
        let (one, two) = (sessions(&store), sessions(&store));
        let ids: Vec<String> = (0..6)
            .map(|i| start(&one, "acme", &format!("a-{i}"), &format!("t-{i}")).id)
            .collect();
        let later = now() + Duration::days(2);
        let expired: usize = std::thread::scope(|scope| {
            let sweeps: Vec<_> = [&one, &two, &one, &two]
                .into_iter()
                .map(|s| scope.spawn(move || s.sessions().sweep(later).expect("sweep").len()))
                .collect();
            sweeps.into_iter().map(|t| t.join().expect("sweeper")).sum()
        });
        assert_eq!(expired, ids.len(), "{name}: each session expired by exactly one sweep");
        let ends = store
            .audit(&AuditFilter {
                tenant: Some("acme".to_string()),
                event: Some("session.ended".to_string()),
                ..AuditFilter::default()
            })
            .expect("audit");
        assert_eq!(ends.len(), ids.len(), "{name}: one `session.ended` per session");
        assert!(
            ends.iter().all(|e| e.end_reason.as_deref() == Some("expired")),
            "{name}"
        );
    });
}
