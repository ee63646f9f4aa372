//! A session row's changes besides its end: new principals' facts are
//! written and read back, and an end they cause is one transaction with its
//! event, on every backend (re-evaluation, E1).

use super::{each, sessions, start};
use crate::common::now;
use standin::request::Principal;
use standin::store::Store;
use std::sync::Arc;

#[test]
fn e1_new_facts_are_stored_with_the_session_or_end_it() {
    each(|name, store: Arc<dyn Store>| {
        let s = sessions(&store);
        let session = start(&s, "acme", "u-1", "u-2");
        let moved: Principal = serde_json::from_value(
            serde_json::json!({"id": "u-2", "active": true, "has_logged_in": true, "groups": ["g-9"]}),
        )
        .expect("principal");
        let out = s.sessions().update_principal("acme", &moved, now()).expect("update");
        assert_eq!(out.kept, std::slice::from_ref(&session.id), "{name}");
        let stored = store.session(&session.id).expect("read").expect("session");
        assert_eq!(
            stored.target_principal.groups,
            ["g-9"],
            "{name}: the new facts are stored"
        );
        let demoted: Principal = serde_json::from_value(serde_json::json!({"id": "u-1"})).expect("principal");
        let out = s.sessions().update_principal("acme", &demoted, now()).expect("update");
        assert_eq!(out.ended.len(), 1, "{name}");
        let stored = store.session(&session.id).expect("read").expect("session");
        assert!(!stored.is_active(), "{name}: ended in the store");
        let chain = standin::audit::verify_chain("acme", &super::trail(&store, "acme"), None);
        assert!(chain.broken.is_none(), "{name}: {:?}", chain.broken);
    });
}

#[test]
fn ap1_a_pending_request_is_stored_approved_and_swept_on_every_backend() {
    each(|name, store: Arc<dyn Store>| {
        let s = sessions(&store);
        let settings =
            serde_json::json!({"approval": "always", "approver_roles": ["lead"], "approval_ttl_seconds": 60});
        s.policies()
            .set("acme", None, &settings.to_string(), now())
            .expect("policy");
        let first = start_pending(&s, name);
        let second = start_pending(&s, name);
        // Pending rows are open: listed as not ended, due at their request's deadline.
        assert_eq!(store.sessions("acme", true).expect("list").len(), 2, "{name}");
        assert_eq!(
            store.next_deadline().expect("deadline"),
            Some(first.expires_at),
            "{name}"
        );
        let lead: Principal =
            serde_json::from_value(serde_json::json!({"id": "u-lead", "roles": ["lead"], "active": true}))
                .expect("principal");
        let later = now() + chrono::TimeDelta::seconds(30);
        let approved = s.sessions().approve(&first.id, &lead, later).expect("approve").session;
        let stored = store.session(&first.id).expect("read").expect("session");
        assert_eq!(stored, approved, "{name}: the approval's columns are written");
        assert!(stored.is_active() && stored.started_at == later, "{name}");
        assert_eq!(
            stored.approval.as_ref().and_then(|a| a.approved_by.as_deref()),
            Some("u-lead"),
            "{name}"
        );
        let swept = s
            .sessions()
            .sweep(now() + chrono::TimeDelta::seconds(60))
            .expect("sweep");
        assert_eq!(swept.len(), 1, "{name}");
        let expired = store.session(&second.id).expect("read").expect("session");
        assert_eq!(
            expired.end_reason.map(|r| r.as_str()),
            Some("approval-expired"),
            "{name}"
        );
        assert!(
            store.session(&first.id).expect("read").expect("session").is_active(),
            "{name}"
        );
        let chain = standin::audit::verify_chain("acme", &super::trail(&store, "acme"), None);
        assert!(chain.broken.is_none(), "{name}: {:?}", chain.broken);
        for c in s.audit().verify(Some("acme")).expect("verify") {
            assert!(c.broken.is_none(), "{name}: {:?}", c.broken);
        }
    });
}

fn start_pending(s: &standin::Standin, name: &str) -> standin::SessionRecord {
    let out = s
        .sessions()
        .start(&super::start_request("acme", "u-1", "u-2"), None, now())
        .expect("start");
    assert!(out.decision.is_pending(), "{name}: {:?}", out.decision);
    out.session.expect("pending")
}
