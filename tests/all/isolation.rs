//! Tenants on one host: a tenant's looping policy costs the others nothing
//! beyond its own calls' deadline, and a tenant reaches only its own
//! sessions, policies and audit.

use crate::common::*;
use crate::sessions::req;
use serde_json::json;
use standin::Standin;
use standin::policies::Upload;
use standin_store_sqlite::OpenSqlite;
use standin_tests::{MISCHIEF, component};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A looping policy's calls run to a 3 s deadline; meanwhile another
/// tenant starts, uses and ends sessions. Before the fix that moved policy
/// calls out of the write transaction, every one of those waited for a
/// looping call to time out.
#[test]
fn t1_a_looping_tenant_does_not_hold_up_other_tenants() {
    let dir = tempfile::tempdir().expect("temp dir");
    let host = host_with_deadline(Duration::from_secs(3));
    let s = Standin::open(host, dir.path().join("standin.db")).expect("open");
    let mischief = component(MISCHIEF);
    let up = Upload {
        tenant: "loopy",
        component: Some(&mischief),
        settings: "{}",
        activate: true,
        ..Upload::default()
    };
    s.policies().upload(&up, now()).expect("upload");
    s.policies().set("acme", None, "{}", now()).expect("acme policy");
    let looped = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for i in 0..2 {
            let (s, looped) = (&s, &looped);
            scope.spawn(move || {
                let mut r = req(json!({"tenant": "loopy", "reason": "loop"}));
                r.actor.id = format!("loopy-{i}");
                let out = s.sessions().start(&r, None, now()).expect("start");
                assert_deny(&out.decision, &["policy-timeout"]);
                looped.fetch_add(1, Ordering::SeqCst);
            });
        }
        // Let the looping calls begin.
        std::thread::sleep(Duration::from_millis(200));
        for i in 0..5 {
            let mut r = req(json!({}));
            r.actor.id = format!("u-{i}");
            let session = s
                .sessions()
                .start(&r, None, now())
                .expect("start")
                .session
                .expect("allowed");
            assert_allow(
                &s.sessions()
                    .authorize(&session.id, "reports.view", None, now())
                    .expect("authorize")
                    .decision,
            );
            s.sessions().end(&session.id, now()).expect("end");
        }
        assert_eq!(
            looped.load(Ordering::SeqCst),
            0,
            "acme finished while loopy's calls were still running"
        );
    });
    let denied = s
        .audit()
        .query(&standin::store::AuditFilter {
            tenant: Some("loopy".to_string()),
            ..Default::default()
        })
        .expect("audit");
    assert_eq!(denied.iter().filter(|e| e.event == "session.denied").count(), 2);
    assert_eq!(denied.iter().filter(|e| e.event == "policy.error").count(), 2);
}

/// A tenant's window reaches its own sessions, audit, messages and policy
/// versions only; another tenant's session is unknown to it.
#[test]
fn t1_a_tenant_reaches_nothing_of_another_tenant() {
    let (_dir, s) = crate::sessions::service();
    s.policies().set("acme", None, "{}", now()).expect("acme");
    s.policies()
        .set("globex", None, r#"{"require_reason": true}"#, now())
        .expect("globex");
    let theirs = s
        .sessions()
        .start(&req(json!({})), None, now())
        .expect("start")
        .session
        .expect("acme session");
    let globex = s.tenant("globex");
    for result in [
        globex.sessions().session(&theirs.id, now()).map(|_| ()),
        globex.sessions().status(&theirs.id, now()).map(|_| ()),
        globex.sessions().end(&theirs.id, now()).map(|_| ()),
        globex.sessions().revoke(&theirs.id, "x", now()).map(|_| ()),
        globex.sessions().extend(&theirs.id, 60, now()).map(|_| ()),
        globex
            .sessions()
            .authorize(&theirs.id, "reports.view", None, now())
            .map(|_| ()),
        globex.sessions().start(&req(json!({})), None, now()).map(|_| ()),
    ] {
        let err = result.expect_err("another tenant's");
        assert!(
            matches!(
                err,
                standin::SessionError::Store(standin::store::StoreError::UnknownSession(_))
                    | standin::SessionError::OtherTenant(_)
            ),
            "{err}"
        );
    }
    assert!(
        s.sessions()
            .session(&theirs.id, now())
            .expect("still there")
            .is_active(),
        "untouched"
    );
    let all = standin::store::AuditFilter::default();
    // Its own policy's upload, nothing of acme's.
    let theirs_seen: Vec<String> = globex
        .audit()
        .query(&all)
        .expect("audit")
        .into_iter()
        .map(|e| e.event)
        .collect();
    assert_eq!(theirs_seen, ["policy.uploaded"]);
    assert!(globex.sessions().list(false, now()).expect("sessions").is_empty());
    assert!(globex.outbox().list(true).expect("outbox").is_empty());
    let acme_messages: Vec<i64> = s
        .tenant("acme")
        .outbox()
        .list(false)
        .expect("outbox")
        .iter()
        .map(|m| m.id)
        .collect();
    let acked = globex.outbox().ack(&acme_messages, now()).expect("ack");
    assert_eq!((acked.acked, acked.unknown), (0, acme_messages.clone()));
    assert_eq!(
        s.tenant("acme").outbox().list(false).expect("outbox").len(),
        acme_messages.len()
    );
    let versions = globex.policies().versions().expect("versions");
    assert_eq!(versions.len(), 1);
    assert!(versions.iter().all(|v| v.tenant == "globex"));
    let up = Upload {
        tenant: "acme",
        settings: r#"{"require_reason": false}"#,
        ..Upload::default()
    };
    assert_eq!(
        globex.policies().upload(&up, now()).expect("upload").stored.tenant,
        "globex"
    );
    assert_eq!(s.policies().versions("acme").expect("acme versions").len(), 1);
}
