//! Lists read page by page ([`SessionStore::sessions_page`], [`OutboxStore::outbox_page`]):
//! the pages, one after the other, are the whole list in its order, with no
//! gap and no repeat, on every backend.

use super::{each, sessions, start};
use crate::common::now;
use standin::store::Store;
use std::sync::Arc;

#[test]
fn pages_of_sessions_and_messages_add_up_to_the_whole_list_in_order() {
    each(|name, store: Arc<dyn Store>| {
        let s = sessions(&store);
        for i in 0..23 {
            let session = start(&s, "acme", &format!("a-{i}"), &format!("t-{i}"));
            if i % 3 == 0 {
                s.sessions().end(&session.id, now()).expect("end");
            }
        }
        start(&s, "globex", "a-0", "t-0");
        for active_only in [false, true] {
            let whole: Vec<String> = store
                .sessions("acme", active_only)
                .expect("sessions")
                .into_iter()
                .map(|r| r.id)
                .collect();
            let mut paged = Vec::new();
            let mut after: Option<String> = None;
            loop {
                let page = store
                    .sessions_page("acme", active_only, after.as_deref(), 5)
                    .expect("page");
                assert!(page.len() <= 5, "{name}: a page larger than asked");
                paged.extend(page.iter().map(|r| r.id.clone()));
                match page.last() {
                    Some(last) if page.len() == 5 => after = Some(last.id.clone()),
                    _ => break,
                }
            }
            assert_eq!(paged, whole, "{name}: pages of sessions (active only: {active_only})");
        }
        assert!(
            store
                .sessions_page("acme", false, Some("s-nobody"), 5)
                .expect("page")
                .is_empty(),
            "{name}: an unknown cursor"
        );

        let whole: Vec<i64> = store.outbox(None, true).expect("outbox").iter().map(|m| m.id).collect();
        assert!(whole.len() > 20, "{name}: {} messages", whole.len());
        let mut paged = Vec::new();
        let mut after = None;
        loop {
            let page = store.outbox_page(None, true, after, 7).expect("page");
            paged.extend(page.iter().map(|m| m.id));
            match page.last() {
                Some(m) if page.len() == 7 => after = Some(m.id),
                _ => break,
            }
        }
        assert_eq!(paged, whole, "{name}: pages of the outbox");
        let acme_only = store.outbox_page(Some("globex"), false, None, 100).expect("page");
        assert!(
            acme_only.iter().all(|m| m.tenant == "globex") && acme_only.len() == 1,
            "{name}"
        );
    });
}
