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
        let out = s.update_principal("acme", &moved, now()).expect("update");
        assert_eq!(out.kept, std::slice::from_ref(&session.id), "{name}");
        let stored = store.session(&session.id).expect("read").expect("session");
        assert_eq!(
            stored.target_principal.groups,
            ["g-9"],
            "{name}: the new facts are stored"
        );
        let demoted: Principal = serde_json::from_value(serde_json::json!({"id": "u-1"})).expect("principal");
        let out = s.update_principal("acme", &demoted, now()).expect("update");
        assert_eq!(out.ended.len(), 1, "{name}");
        let stored = store.session(&session.id).expect("read").expect("session");
        assert!(!stored.is_active(), "{name}: ended in the store");
        let chain = standin::audit::verify_chain("acme", &super::trail(&store, "acme"));
        assert!(chain.broken.is_none(), "{name}: {:?}", chain.broken);
    });
}
