//! `authorize` with group commit: many callers, one writer, one chain;
//! the race of an action with the session's end; batched mode.

use crate::common::*;
use crate::sessions::{assert_intact, assert_race_recorded_as_answered, open, service, started, trail};
use serde_json::json;
use standin::Standin;
use standin::store::AuditMode;
use standin_store_sqlite::SqliteStore;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

#[test]
fn many_threads_authorizing_share_batches_and_keep_one_gapless_chain() {
    let (_d, s) = service();
    let sessions: Vec<_> = (0..4)
        .map(|i| {
            let actor = patch(actor(), json!({"id": format!("u-{}", 10 + i)}));
            let out = s
                .sessions()
                .start(&start_request(actor, target(), json!({})), None, now())
                .expect("start");
            assert_allow(&out.decision);
            out.session.expect("session").id
        })
        .collect();
    let calls = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for t in 0..8 {
            let (s, sessions, calls) = (&s, &sessions, &calls);
            scope.spawn(move || {
                for i in 0..50 {
                    let action = if i % 3 == 0 { "billing.purchase" } else { "course.view" };
                    let d = s
                        .sessions()
                        .authorize(&sessions[(t + i) % 4], action, Some(&format!("r-{t}-{i}")), now())
                        .expect("authorize");
                    assert_eq!(d.decision.is_allow(), action == "course.view");
                    calls.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    let trail = trail(&s);
    assert_eq!(trail.len(), 4 + calls.into_inner());
    assert!(trail.iter().enumerate().all(|(i, e)| e.seq == i as u64 + 1));
    assert_intact(&s);
}

#[test]
fn an_action_after_an_end_by_another_process_is_denied_session_ended_and_recorded_after_the_end() {
    let (d, a) = service();
    // A second `Standin` on the same file stands for another process.
    let b = open(d.path().join("standin.db"));
    let s = started(&a, json!({}));
    // `a` has the session cached as active.
    assert_allow(
        &a.sessions()
            .authorize(&s.id, "course.view", None, now())
            .expect("authorize")
            .decision,
    );
    b.sessions().end(&s.id, now()).expect("end");
    let d = a
        .sessions()
        .authorize(&s.id, "course.view", None, now())
        .expect("authorize");
    assert_deny(&d.decision, &["session-ended"]);
    let events: Vec<(String, Vec<String>)> = trail(&a).into_iter().map(|e| (e.event, e.codes)).collect();
    assert_eq!(
        events,
        [
            ("session.started".to_string(), vec![]),
            ("action.allowed".to_string(), vec![]),
            ("session.ended".to_string(), vec![]),
            ("action.denied".to_string(), vec!["session-ended".to_string()]),
        ]
    );
    assert_intact(&a);
}

#[test]
fn actions_racing_an_end_are_answered_as_recorded_and_none_is_allowed_after_it() {
    let (_d, s) = service();
    let session = started(&s, json!({}));
    let (allowed, denied) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let go = AtomicBool::new(false);
    std::thread::scope(|scope| {
        for _ in 0..6 {
            let (s, id, allowed, denied, go) = (&s, &session.id, &allowed, &denied, &go);
            scope.spawn(move || {
                while !go.load(Ordering::Relaxed) {
                    std::hint::spin_loop();
                }
                loop {
                    let d = s
                        .sessions()
                        .authorize(id, "course.view", None, now())
                        .expect("authorize");
                    if d.decision.is_allow() {
                        allowed.fetch_add(1, Ordering::Relaxed);
                    } else {
                        assert_deny(&d.decision, &["session-ended"]);
                        denied.fetch_add(1, Ordering::Relaxed);
                        break;
                    }
                }
            });
        }
        go.store(true, Ordering::Relaxed);
        std::thread::sleep(std::time::Duration::from_millis(200));
        s.sessions().end(&session.id, now()).expect("end");
    });
    assert_race_recorded_as_answered(&s, allowed.into_inner(), denied.into_inner());
}

#[test]
fn batched_mode_answers_before_the_commit_and_writes_everything_by_the_drop() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("standin.db");
    let store = SqliteStore::open_with(&path, AuditMode::Batched).expect("open");
    assert_eq!(store.audit_mode(), AuditMode::Batched);
    let s = Standin::new(host().clone(), Arc::new(store)).with_builtin_fallback(true);
    let session = started(&s, json!({}));
    for i in 0..300 {
        let d = s
            .sessions()
            .authorize(&session.id, "course.view", Some(&format!("r-{i}")), now())
            .expect("authorize");
        assert_allow(&d.decision);
    }
    s.sessions().end(&session.id, now()).expect("end");
    drop(s);
    let s = open(&path);
    let trail = trail(&s);
    assert_eq!(trail.len(), 302);
    assert_eq!(trail.iter().filter(|e| e.event == "action.allowed").count(), 300);
    // The end waited for the actions queued before it: the chain keeps call order.
    assert_eq!(trail.last().map(|e| e.event.as_str()), Some("session.ended"));
    assert_intact(&s);
}
