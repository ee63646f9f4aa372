//! Expiry (S3): exact at the deadline, recorded by the sweep, by the
//! background sweeper, or when an expired session is touched; and a
//! sweeper that sleeps until the next deadline.

use crate::common::*;
use crate::sessions::{at, req, service, started};
use chrono::{TimeDelta, Utc};
use serde_json::json;
use standin::SessionError;
use standin::model::{EndReason, SessionState};
use std::sync::Arc;

#[test]
fn s3_expiry_is_exact_at_the_deadline_by_sweep() {
    let (_d, s) = service();
    let a = started(&s, json!({"ttl_seconds": 3600}));
    let deadline = at("2026-11-21T11:00:00Z");
    assert!(
        s.sessions()
            .sweep(deadline - TimeDelta::seconds(1))
            .expect("sweep")
            .is_empty()
    );
    let b = s
        .sessions()
        .status(&a.id, deadline - TimeDelta::seconds(1))
        .expect("status");
    assert_eq!((b.state, b.remaining_seconds), (SessionState::Active, 1));
    // The sweep runs late; the end is recorded at the deadline.
    let swept = s.sessions().sweep(deadline + TimeDelta::seconds(42)).expect("sweep");
    assert_eq!(swept.len(), 1);
    assert_eq!(swept[0].end_reason, Some(EndReason::Expired));
    assert_eq!(swept[0].ended_at, Some(deadline));
    let stored = s.store().session(&a.id).expect("read").expect("session");
    assert_eq!((stored.state, stored.ended_at), (SessionState::Ended, Some(deadline)));
    let ended = s.audit().query(&standin::store::AuditFilter {
        event: Some("session.ended".into()),
        ..Default::default()
    });
    let ended = ended.expect("audit");
    assert_eq!(ended.len(), 1);
    assert_eq!(ended[0].end_reason.as_deref(), Some("expired"));
    assert_eq!(ended[0].at, deadline);
}

#[test]
fn s3_expiry_is_recorded_when_an_expired_session_is_touched() {
    let deadline = at("2026-11-21T11:00:00Z");
    for touch in ["status", "authorize", "end", "extend", "start"] {
        // A trail of its own for each touch: a start dated before the
        // chain's last event would be recorded at that event's time.
        let (_d, s) = service();
        let a = started(&s, json!({"ttl_seconds": 3600}));
        let late = deadline + TimeDelta::seconds(5);
        match touch {
            "status" => {
                let b = s.sessions().status(&a.id, deadline).expect("status");
                assert_eq!(
                    (b.state, b.remaining_seconds, b.expiring_soon),
                    (SessionState::Ended, 0, false)
                );
            }
            "authorize" => {
                let d = s
                    .sessions()
                    .authorize(&a.id, "course.view", None, deadline)
                    .expect("authorize");
                assert_deny(&d.decision, &["session-expired"]);
            }
            "end" => assert!(matches!(
                s.sessions().end(&a.id, late),
                Err(SessionError::Ended {
                    end_reason: "expired",
                    ..
                })
            )),
            "extend" => assert!(s.sessions().extend(&a.id, 60, late).is_err()),
            _ => {
                // The same actor starts again: the expired session is no obstacle (no nesting).
                let out = s.sessions().start(&req(json!({})), None, late).expect("start");
                assert_allow(&out.decision);
                s.sessions().end(&out.session.expect("session").id, late).expect("end");
            }
        }
        let stored = s.store().session(&a.id).expect("read").expect("session");
        assert_eq!(stored.state, SessionState::Ended, "{touch}");
        assert_eq!(stored.end_reason, Some(EndReason::Expired), "{touch}");
        assert_eq!(stored.ended_at, Some(deadline), "{touch}");
    }
}

#[test]
fn s3_background_sweeper_records_expiry() {
    let (_d, s) = service();
    let s = Arc::new(s);
    let start = Utc::now() - TimeDelta::seconds(10);
    let out = s
        .sessions()
        .start(&req(json!({"ttl_seconds": 2, "now": null})), None, start)
        .expect("start");
    let id = out.session.expect("session").id;
    let _sweeper = s.spawn_sweeper(std::time::Duration::from_millis(50));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        // Read the store directly: reading through `Standin` would expire it too.
        let stored = s.store().session(&id).expect("read").expect("session");
        if stored.state == SessionState::Ended {
            assert_eq!(stored.end_reason, Some(EndReason::Expired));
            assert_eq!(stored.ended_at, Some(stored.expires_at));
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the sweeper never ended the session"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn s3_the_sweeper_sleeps_until_the_next_deadline_not_a_fixed_tick() {
    let (_d, s) = service();
    let s = Arc::new(s);
    // A sweeper that would look only once an hour on a fixed tick.
    let _sweeper = s.spawn_sweeper(std::time::Duration::from_secs(3600));
    std::thread::sleep(std::time::Duration::from_millis(100));
    // Started after the sweeper went to sleep: the start wakes it, and it
    // then sleeps until this session's deadline, 2 s from now.
    let out = s
        .sessions()
        .start(&req(json!({"ttl_seconds": 2, "now": null})), None, Utc::now())
        .expect("start");
    let id = out.session.expect("session").id;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let stored = s.store().session(&id).expect("read").expect("session");
        if stored.state == SessionState::Ended {
            assert_eq!(stored.end_reason, Some(EndReason::Expired));
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the sweeper slept past the deadline"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
