//! Batches of actions ([`SessionStore::append_actions`], through
//! `Sessions::authorize_batch`): several tenants and sessions in one call,
//! answered in order, committed only in active sessions, each chain gapless
//! (A3, S3), on every backend.

use super::{each, sessions, start, trail};
use crate::common::now;
use standin::audit::AuditEvent;
use standin::store::{Store, StoreError};
use standin::{ActionCall, SessionError};
use std::sync::Arc;

fn gapless(name: &str, tenant: &str, events: &[AuditEvent]) {
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.seq, i as u64 + 1, "{name}: {tenant}'s seq has a gap or a repeat");
    }
    let chain = standin::audit::verify_chain(tenant, events, None);
    assert!(chain.broken.is_none(), "{name}: {tenant}: {:?}", chain.broken);
}

#[test]
fn a3_s3_a_batch_across_tenants_commits_in_order_and_only_in_active_sessions() {
    each(|name, store: Arc<dyn Store>| {
        let s = sessions(&store);
        let (a, b) = (start(&s, "acme", "a-1", "t-1"), start(&s, "globex", "a-2", "t-2"));
        let ended = start(&s, "acme", "a-3", "t-3");
        s.sessions().end(&ended.id, now()).expect("end");
        let ids = [a.id.as_str(), b.id.as_str(), ended.id.as_str(), "s-missing"];
        let calls: Vec<ActionCall<'_>> = (0..40)
            .map(|i| ActionCall::new(ids[i % 4], "course.view", None, now()))
            .collect();
        let answers = s.sessions().authorize_batch(&calls).expect("batch");
        assert_eq!(answers.len(), calls.len(), "{name}: one answer per call");
        // And a batch in open sessions only, long enough that PostgreSQL
        // writes it with `COPY`.
        let open: Vec<ActionCall<'_>> = (0..200)
            .map(|i| ActionCall::new(ids[i % 2], "course.view", None, now()))
            .collect();
        let all_allowed = s.sessions().authorize_batch(&open).expect("batch");
        assert!(
            all_allowed
                .iter()
                .all(|a| a.as_ref().is_ok_and(|a| a.decision.is_allow())),
            "{name}"
        );
        for (i, answer) in answers.iter().enumerate() {
            match (i % 4, answer) {
                (0 | 1, Ok(a)) => assert!(a.decision.is_allow(), "{name}: call {i} in an open session denied"),
                (2, Ok(a)) => assert!(
                    !a.decision.is_allow() && a.decision.codes().any(|c| c == "session-ended"),
                    "{name}: call {i} in an ended session: {:?}",
                    a.decision
                ),
                (3, Err(SessionError::Store(StoreError::UnknownSession(_)))) => {}
                (_, other) => panic!("{name}: call {i} answered {other:?}"),
            }
        }
        let acme = trail(&store, "acme");
        let globex = trail(&store, "globex");
        gapless(name, "acme", &acme);
        gapless(name, "globex", &globex);
        let allowed = |events: &[AuditEvent], session: &str| {
            events
                .iter()
                .filter(|e| e.event == "action.allowed" && e.session.as_deref() == Some(session))
                .count()
        };
        assert_eq!(allowed(&acme, &a.id), 110, "{name}: acme's open session");
        assert_eq!(allowed(&globex, &b.id), 110, "{name}: globex's open session");
        let end = acme.iter().position(|e| e.event == "session.ended").expect("ended");
        assert!(
            !acme[end..]
                .iter()
                .any(|e| e.event == "action.allowed" && e.session.as_deref() == Some(ended.id.as_str())),
            "{name}: an allowed action recorded after its session's end"
        );
    });
}

#[test]
fn s3_batches_racing_an_end_never_record_an_allowed_action_after_it() {
    each(|name, store: Arc<dyn Store>| {
        let s = sessions(&store);
        let session = start(&s, "acme", "a-1", "t-1");
        let told_allowed: usize = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..2)
                .map(|_| {
                    let (s, id) = (&s, session.id.as_str());
                    scope.spawn(move || {
                        let mut allowed = 0;
                        for _ in 0..20 {
                            let calls: Vec<ActionCall<'_>> = (0..16)
                                .map(|_| ActionCall::new(id, "course.view", None, now()))
                                .collect();
                            for a in s.sessions().authorize_batch(&calls).expect("batch") {
                                allowed += usize::from(a.expect("answer").decision.is_allow());
                            }
                        }
                        allowed
                    })
                })
                .collect();
            std::thread::sleep(std::time::Duration::from_millis(20));
            s.sessions().end(&session.id, now()).expect("end");
            workers.into_iter().map(|w| w.join().expect("thread")).sum()
        });
        let events = trail(&store, "acme");
        gapless(name, "acme", &events);
        let end = events.iter().position(|e| e.event == "session.ended").expect("ended");
        assert!(
            !events[end..].iter().any(|e| e.event == "action.allowed"),
            "{name}: an allowed action after the end"
        );
        let recorded = events.iter().filter(|e| e.event == "action.allowed").count();
        assert_eq!(
            told_allowed, recorded,
            "{name}: callers told otherwise than the trail says"
        );
    });
}
