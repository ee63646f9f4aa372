//! Standin on a real SQLite file (S1-S7, E7, T1), through the default
//! policy component.

use crate::common::*;
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Value, json};
use standin::model::{EndReason, SessionState};
use standin::{SessionError, Standin, StartRequest};
use standin_store_sqlite::OpenSqlite;

pub fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("time")
}

/// Standin on a new database (kept alive by the returned guard), with the built-in fallback on, so that
/// tests of sessions need not store a policy per tenant first (the default,
/// off, is `t1_*` in `policies.rs`).
pub fn service() -> (tempfile::TempDir, Standin) {
    let dir = tempfile::tempdir().expect("temp dir");
    let sessions = open(dir.path().join("standin.db"));
    (dir, sessions)
}

/// Sessions on the database at `path`, with the built-in fallback on.
pub fn open(path: impl AsRef<std::path::Path>) -> Standin {
    Standin::open(host().clone(), path)
        .expect("open db")
        .with_builtin_fallback(true)
}

/// The whole audit trail, every tenant.
pub fn trail(s: &Standin) -> Vec<standin::audit::AuditEvent> {
    s.audit().query(&standin::store::AuditFilter::default()).expect("audit")
}

/// Every tenant's chain verifies.
pub fn assert_intact(s: &Standin) {
    for chain in s.audit().verify(None).expect("verify") {
        assert!(chain.broken.is_none(), "{:?}", chain.broken);
    }
}

/// After authorizes raced a session's end: the trail records the
/// `allowed` allows and `denied` denies the callers were told, no allow
/// after `session.ended` and no deny before it, and the chain verifies.
#[track_caller]
pub fn assert_race_recorded_as_answered(s: &Standin, allowed: usize, denied: usize) {
    let trail = trail(s);
    let end = trail.iter().position(|e| e.event == "session.ended").expect("ended");
    let count = |event: &str| trail.iter().filter(|e| e.event == event).count();
    assert!(allowed > 0, "the race never ran");
    // What each caller was told is what the trail says...
    assert_eq!(count("action.allowed"), allowed);
    assert_eq!(count("action.denied"), denied);
    // ...and no action is allowed after the end.
    assert!(trail[end..].iter().all(|e| e.event != "action.allowed"));
    assert!(trail[..end].iter().all(|e| e.event != "action.denied"));
    assert_intact(s);
}

pub fn req(extra: Value) -> StartRequest {
    start_request(actor(), target(), extra)
}

pub fn set(sessions: &Standin, tenant: &str, settings: Value) {
    sessions
        .policies()
        .set(tenant, None, &settings.to_string(), now())
        .expect("policy set");
}

/// Starts a session at `now()` that must be allowed.
pub fn started(sessions: &Standin, extra: Value) -> standin::SessionRecord {
    let out = sessions
        .sessions()
        .start(&req(extra), Some("/admin/users"), now())
        .expect("start");
    assert_allow(&out.decision);
    out.session.expect("a session")
}

#[test]
fn s1_granted_ttl_is_kept_and_never_past_24_hours() {
    let (_d, s) = service();
    let a = started(&s, json!({"ttl_seconds": 7200}));
    assert_eq!(a.expires_at - a.started_at, TimeDelta::seconds(7200));
    assert_eq!(a.max_expires_at - a.started_at, TimeDelta::seconds(86_400));
    s.sessions().end(&a.id, now()).expect("end");
    let b = started(&s, json!({"ttl_seconds": 500_000}));
    assert_eq!(b.expires_at - b.started_at, TimeDelta::seconds(86_400));
}

#[test]
fn s1_extend_is_re_evaluated_and_never_past_max_expires_at() {
    let (_d, s) = service();
    set(
        &s,
        "acme",
        json!({"default_ttl_seconds": 3600, "max_ttl_seconds": 7200}),
    );
    let a = started(&s, json!({}));
    assert_eq!(a.expires_at, at("2026-11-21T11:00:00Z"));
    let later = at("2026-11-21T10:30:00Z");
    let out = s.sessions().extend(&a.id, 86_400, later).expect("extend");
    assert_allow(&out.decision);
    assert_eq!(
        out.session.expires_at,
        at("2026-11-21T12:00:00Z"),
        "capped at max_expires_at"
    );
    // An extension never shortens: now + 600 s is before the session's end.
    let out = s.sessions().extend(&a.id, 600, later).expect("extend");
    assert_allow(&out.decision);
    assert!(out.kept_expiry);
    assert_eq!(out.session.expires_at, at("2026-11-21T12:00:00Z"), "kept");
    let note = trail(&s).last().and_then(|e| e.note.clone()).unwrap_or_default();
    assert!(note.contains("its expiry is kept"), "{note}");
    let b = started(&s, json!({"actor": patch(actor(), json!({"id": "u-2"}))}));
    let out = s.sessions().extend(&b.id, 5400, later).expect("extend");
    assert!(!out.kept_expiry);
    assert_eq!(out.session.expires_at, at("2026-11-21T12:00:00Z"), "now + ttl");
    // Re-evaluated: once the tenant requires a reason, a session without one cannot be extended.
    set(&s, "acme", json!({"require_reason": true}));
    let out = s.sessions().extend(&a.id, 3600, later).expect("extend");
    assert_deny(&out.decision, &["reason-required"]);
    assert_eq!(out.session.expires_at, at("2026-11-21T12:00:00Z"), "unchanged");
}

#[test]
fn s2_end_is_recorded_and_return_to_kept() {
    let (_d, s) = service();
    let a = started(&s, json!({}));
    let t = now() + TimeDelta::seconds(90);
    let ended = s.sessions().end(&a.id, t).expect("end");
    assert_eq!(ended.state, SessionState::Ended);
    assert_eq!(ended.end_reason, Some(EndReason::Stopped));
    assert_eq!(ended.ended_at, Some(t));
    assert_eq!(ended.return_to.as_deref(), Some("/admin/users"));
    assert!(matches!(s.sessions().end(&a.id, t), Err(SessionError::Ended { .. })));
    let d = s
        .sessions()
        .authorize(&a.id, "course.view", None, t)
        .expect("authorize");
    assert_deny(&d.decision, &["session-ended"]);
}

#[test]
fn s4_banner_facts_and_expiring_soon_in_the_last_5_minutes() {
    let (_d, s) = service();
    let a = started(&s, json!({"ttl_seconds": 3600}));
    let b = s.sessions().status(&a.id, at("2026-11-21T10:54:59Z")).expect("status");
    assert_eq!((b.actor.as_str(), b.target.as_str()), ("u-1", "u-42"));
    assert_eq!(b.expires_at, at("2026-11-21T11:00:00Z"));
    assert_eq!((b.remaining_seconds, b.expiring_soon), (301, false));
    let b = s.sessions().status(&a.id, at("2026-11-21T10:55:00Z")).expect("status");
    assert_eq!((b.remaining_seconds, b.expiring_soon), (300, true));
    let json = serde_json::to_value(&b).expect("json");
    for field in [
        "id",
        "actor",
        "target",
        "state",
        "expires_at",
        "remaining_seconds",
        "expiring_soon",
    ] {
        assert!(json.get(field).is_some(), "banner lacks {field}: {json}");
    }
}

#[test]
fn s6_e7_second_start_is_refused_with_nested_impersonation() {
    let (_d, s) = service();
    let a = started(&s, json!({}));
    let other_target = patch(target(), json!({"id": "u-43"}));
    let out = s
        .sessions()
        .start(&start_request(actor(), other_target, json!({})), None, now())
        .expect("start");
    assert_deny(&out.decision, &["nested-impersonation"]);
    assert!(out.session.is_none());
    // Another actor may still impersonate the same target (S5: nothing of the target is touched).
    let other_actor = patch(actor(), json!({"id": "u-2"}));
    let out = s
        .sessions()
        .start(&start_request(other_actor, target(), json!({})), None, now())
        .expect("start");
    assert_allow(&out.decision);
    // After the end, the actor may start again.
    s.sessions().end(&a.id, now()).expect("end");
    started(&s, json!({}));
}

#[test]
fn e7_nesting_when_the_policy_allows_it_runs_one_level_deeper() {
    let (_d, s) = service();
    set(&s, "acme", json!({"allow_nested": true}));
    let a = started(&s, json!({}));
    let b = started(&s, json!({}));
    assert_eq!((b.parent.as_deref(), b.depth), (Some(a.id.as_str()), 1));
}

#[test]
fn s6_many_threads_racing_for_one_actor_get_exactly_one_session() {
    let (_d, s) = service();
    let allowed = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for t in 0..8 {
            let (s, allowed) = (&s, &allowed);
            scope.spawn(move || {
                let target = patch(target(), json!({"id": format!("u-{}", 100 + t)}));
                let out = s
                    .sessions()
                    .start(&start_request(actor(), target, json!({})), None, now())
                    .expect("start");
                if out.decision.is_allow() {
                    allowed.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                } else {
                    assert_deny(&out.decision, &["nested-impersonation"]);
                }
            });
        }
    });
    assert_eq!(allowed.into_inner(), 1);
    assert_eq!(s.store().sessions("acme", true).expect("list").len(), 1);
}

#[test]
fn s7_actions_answer_with_the_session_facts_and_both_identities() {
    let (_d, s) = service();
    let a = started(&s, json!({}));
    let t = now() + TimeDelta::seconds(60);
    let d = s
        .sessions()
        .authorize(&a.id, "billing.purchase", Some("course-17"), t)
        .expect("authorize");
    assert_deny(&d.decision, &["forbidden-action"]);
    assert_eq!((d.acting_as.as_str(), d.on_behalf_of.as_str()), ("u-42", "u-1"));
    let d = s
        .sessions()
        .authorize(&a.id, "report.generate", None, t)
        .expect("authorize");
    assert_allow(&d.decision);
    assert_eq!(d.decision.obligations(), ["deliver-to-target".to_string()]);
}

#[test]
fn t1_a_new_policy_version_applies_to_new_sessions_old_ones_keep_theirs() {
    let (_d, s) = service();
    set(&s, "acme", json!({}));
    let a = started(&s, json!({}));
    set(&s, "acme", json!({"forbidden_actions": ["course.*"]}));
    let t = now() + TimeDelta::seconds(60);
    assert_allow(
        &s.sessions()
            .authorize(&a.id, "course.view", None, t)
            .expect("authorize")
            .decision,
    );
    s.sessions().end(&a.id, t).expect("end");
    let b = s
        .sessions()
        .start(&req(json!({})), None, t)
        .expect("start")
        .session
        .expect("session");
    assert_eq!(b.policy.version, a.policy.version + 1);
    assert_deny(
        &s.sessions()
            .authorize(&b.id, "course.view", None, t)
            .expect("authorize")
            .decision,
        &["forbidden-action"],
    );
}

#[test]
fn t1_tenants_have_their_own_policy_sessions_audit_and_outbox() {
    let (_d, s) = service();
    set(&s, "acme", json!({"require_reason": true}));
    let globex = |extra: Value| {
        let mut r = req(extra);
        r.tenant = "globex".to_string();
        r
    };
    let out = s.sessions().start(&req(json!({})), None, now()).expect("start");
    assert_deny(&out.decision, &["reason-required"]);
    // Same actor id in another tenant: its own rules, its own one-session slot.
    let g = s.sessions().start(&globex(json!({})), None, now()).expect("start");
    assert_allow(&g.decision);
    let a = started(&s, json!({"reason": "SUP-1"}));
    assert_eq!(s.store().sessions("acme", true).expect("list").len(), 1);
    assert_eq!(s.store().sessions("globex", true).expect("list")[0].tenant, "globex");
    assert_eq!(a.tenant, "acme");
    let filter = |t: &str| standin::store::AuditFilter {
        tenant: Some(t.to_string()),
        ..Default::default()
    };
    let acme = s.audit().query(&filter("acme")).expect("audit");
    let globex = s.audit().query(&filter("globex")).expect("audit");
    assert!(acme.iter().all(|e| e.tenant == "acme") && globex.iter().all(|e| e.tenant == "globex"));
    // acme: its policy's upload, the refused start, the start.
    assert_eq!(acme.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(globex.iter().map(|e| e.seq).collect::<Vec<_>>(), [1]);
    assert!(
        s.outbox()
            .list(Some("globex"), true)
            .expect("outbox")
            .iter()
            .all(|m| m.tenant == "globex")
    );
    assert_eq!(s.outbox().list(Some("acme"), true).expect("outbox").len(), 1);
}

#[test]
fn t1_settings_the_policy_refuses_store_nothing() {
    let (_d, s) = service();
    let e = s
        .policies()
        .set("acme", None, r#"{"max_ttl_seconds": 100000}"#, now())
        .expect_err("refused");
    assert_eq!(e.step(), Some(standin::policies::UploadStep::Settings), "{e}");
    assert!(e.to_string().contains("max_ttl_seconds"), "{e}");
    assert!(s.policies().active("acme").expect("read").is_none());
}

#[test]
fn policy_failure_is_a_deny_with_a_policy_error_event() {
    let (_d, s) = service();
    let mischief = standin_tests::component(standin_tests::MISCHIEF);
    s.policies()
        .set("acme", Some(&mischief), "{}", now())
        .expect("policy set");
    let a = started(&s, json!({}));
    let d = s.sessions().authorize(&a.id, "panic", None, now()).expect("authorize");
    assert_deny(&d.decision, &["policy-error"]);
    let events: Vec<String> = s
        .audit()
        .query(&Default::default())
        .expect("audit")
        .into_iter()
        .map(|e| e.event)
        .collect();
    assert_eq!(
        events,
        ["policy.uploaded", "session.started", "action.denied", "policy.error"]
    );
}
