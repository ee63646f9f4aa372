//! The audit trail (A1-A4), its hash chain, and the outbox (N1).

use crate::common::*;
use crate::sessions::{at, req, service, set, started};
use chrono::TimeDelta;
use serde_json::{Value, json};
use standin::audit::AuditEvent;
use standin::audit::{Format, View, render};
use standin::model::Notifications;
use standin::store::AuditFilter;

fn all(s: &standin::Standin) -> Vec<AuditEvent> {
    s.audit().query(&AuditFilter::default()).expect("audit")
}

fn events(s: &standin::Standin) -> Vec<String> {
    all(s).into_iter().map(|e| e.event).collect()
}

#[test]
fn a1_a2_a3_every_event_with_both_identities_reason_codes_and_digest() {
    let (_d, s) = service();
    let a = started(&s, json!({"reason": "ticket SUP-1234"}));
    let denied = s
        .sessions()
        .start(&req(json!({"reason": "again"})), None, now())
        .expect("start");
    assert!(!denied.decision.is_allow());
    let t = now() + TimeDelta::seconds(60);
    s.sessions()
        .authorize(&a.id, "course.view", Some("course-17"), t)
        .expect("authorize");
    s.sessions()
        .authorize(&a.id, "billing.purchase", None, t)
        .expect("authorize");
    s.sessions().extend(&a.id, 7200, t).expect("extend");
    s.sessions().revoke(&a.id, "security review", t).expect("revoke");
    assert_eq!(
        events(&s),
        [
            "session.started",
            "session.denied",
            "action.allowed",
            "action.denied",
            "session.extended",
            "session.ended"
        ]
    );
    let trail = all(&s);
    for e in &trail {
        assert_eq!(
            (e.actor.as_str(), e.target.as_str(), e.tenant.as_str()),
            ("u-1", "u-42", "acme")
        );
        assert!(e.policy.digest.starts_with("sha256:"), "{e:?}");
    }
    assert_eq!(trail[0].reason.as_deref(), Some("ticket SUP-1234"));
    assert_eq!(trail[0].expires_at, Some(a.expires_at));
    assert!(trail[0].request.as_deref().is_some_and(|r| r.contains("\"actor\"")));
    assert_eq!(trail[1].codes, ["nested-impersonation"]);
    assert_eq!(trail[1].session, None);
    assert_eq!(trail[2].resource.as_deref(), Some("course-17"));
    assert_eq!(trail[3].codes, ["forbidden-action"]);
    assert_eq!(trail[3].action.as_deref(), Some("billing.purchase"));
    assert_eq!(trail[4].expires_at, Some(t + TimeDelta::seconds(7200)));
    assert_eq!(trail[5].end_reason.as_deref(), Some("revoked"));
    assert_eq!(trail[5].note.as_deref(), Some("security review"));
    // The contract's field names, in the JSON line.
    let line: Value = serde_json::from_str(render(&trail[3..4], Format::Jsonl, None).trim()).expect("json");
    for f in [
        "seq",
        "tenant",
        "at",
        "event",
        "session",
        "actor",
        "target",
        "action",
        "resource",
        "reason",
        "codes",
        "end_reason",
        "policy",
        "hash",
    ] {
        assert!(line.get(f).is_some(), "missing {f}: {line}");
    }
    assert_eq!(line["policy"]["version"], 0);
}

#[test]
fn a4_query_filters_by_tenant_actor_target_event_and_time() {
    let (_d, s) = service();
    let a = started(&s, json!({}));
    let other = patch(actor(), json!({"id": "u-2"}));
    let later = now() + TimeDelta::seconds(1800);
    let b = s
        .sessions()
        .start(
            &start_request(other, patch(target(), json!({"id": "u-7"})), json!({})),
            None,
            later,
        )
        .expect("start")
        .session
        .expect("session");
    s.sessions().end(&a.id, later).expect("end");
    s.sessions().end(&b.id, later).expect("end");
    let q = |f: AuditFilter| -> Vec<u64> { s.audit().query(&f).expect("audit").iter().map(|e| e.seq).collect() };
    assert_eq!(q(AuditFilter::default()), [1, 2, 3, 4]);
    let by_actor = q(AuditFilter {
        actor: Some("u-2".into()),
        ..Default::default()
    });
    assert_eq!(by_actor, [2, 4]);
    let by_target = q(AuditFilter {
        target: Some("u-42".into()),
        ..Default::default()
    });
    assert_eq!(by_target, [1, 3]);
    let by_event = q(AuditFilter {
        event: Some("session.ended".into()),
        ..Default::default()
    });
    assert_eq!(by_event, [3, 4]);
    let by_time = q(AuditFilter {
        since: Some(now()),
        until: Some(later),
        ..Default::default()
    });
    assert_eq!(by_time, [1]);
    let other_tenant = q(AuditFilter {
        tenant: Some("globex".into()),
        ..Default::default()
    });
    assert!(other_tenant.is_empty());
}

#[test]
fn a3_a4_both_views_and_every_format() {
    let (_d, s) = service();
    let a = started(&s, json!({}));
    s.sessions()
        .authorize(&a.id, "billing.purchase", None, now())
        .expect("authorize");
    let trail = all(&s);
    let lines = |view| -> Vec<Value> {
        render(&trail, Format::Jsonl, Some(view))
            .lines()
            .map(|l| serde_json::from_str(l).expect("json"))
            .collect()
    };
    let actor_view = lines(View::Impersonator);
    assert_eq!(actor_view[1]["user"], "u-1");
    assert_eq!(actor_view[1]["detail"], "impersonating u-42");
    let target_view = lines(View::Impersonated);
    assert_eq!(target_view[1]["user"], "u-42");
    assert_eq!(target_view[1]["detail"], "impersonated by u-1");
    for l in actor_view.iter().chain(&target_view) {
        assert_eq!((l["actor"].as_str(), l["target"].as_str()), (Some("u-1"), Some("u-42")));
    }
    let csv = render(&trail, Format::Csv, Some(View::Impersonated));
    let mut rows = csv.lines();
    assert!(
        rows.next()
            .expect("header")
            .starts_with("user,detail,seq,tenant,at,event")
    );
    assert!(
        rows.nth(1)
            .expect("row")
            .starts_with("u-42,impersonated by u-1,2,acme,")
    );
    let table = render(&trail, Format::Table, None);
    assert!(table.lines().next().expect("header").starts_with("SEQ"));
    assert!(table.contains("forbidden-action"));
}

/// A trail of 6 events for tamper tests; returns the db path.
fn trail() -> (tempfile::TempDir, standin::Standin, std::path::PathBuf) {
    let (d, s) = service();
    let a = started(&s, json!({}));
    for action in ["course.view", "billing.purchase", "course.view", "report.generate"] {
        s.sessions().authorize(&a.id, action, None, now()).expect("authorize");
    }
    s.sessions().end(&a.id, now()).expect("end");
    let path = d.path().join("standin.db");
    assert!(
        s.audit()
            .verify(None)
            .expect("verify")
            .iter()
            .all(|c| c.broken.is_none())
    );
    (d, s, path)
}

fn tamper(path: &std::path::Path, sql: &str) {
    let conn = rusqlite::Connection::open(path).expect("open");
    conn.execute_batch(sql).expect("tamper");
}

/// The seq at which verify finds the acme chain broken.
fn broken_at(s: &standin::Standin) -> Option<u64> {
    let chains = s.audit().verify(Some("acme")).expect("verify");
    chains[0].broken.as_ref().map(|b| b.seq)
}

#[test]
fn a_tamper_edited_column_is_found() {
    let (_d, s, path) = trail();
    tamper(
        &path,
        "UPDATE audit SET codes = '[]', event = 'action.allowed' WHERE seq = 3",
    );
    assert_eq!(broken_at(&s), Some(3));
    let (_d, s, path) = trail();
    tamper(&path, "UPDATE audit SET actor = 'u-9' WHERE seq = 5");
    assert_eq!(broken_at(&s), Some(5));
}

#[test]
fn a_tamper_deleted_row_is_found() {
    let (_d, s, path) = trail();
    tamper(&path, "DELETE FROM audit WHERE seq = 3");
    assert_eq!(broken_at(&s), Some(3));
    // Renumbered to hide the gap: the chain of hashes still breaks.
    let (_d, s, path) = trail();
    tamper(
        &path,
        "DELETE FROM audit WHERE seq = 3; UPDATE audit SET seq = seq + 100 WHERE seq > 3; \
         UPDATE audit SET seq = seq - 101 WHERE seq > 100",
    );
    assert_eq!(broken_at(&s), Some(3));
}

#[test]
fn a_tamper_inserted_row_is_found() {
    let (_d, s, path) = trail();
    // A copy of event 2 slipped in as event 3, the rest moved up.
    tamper(
        &path,
        "UPDATE audit SET seq = seq + 100 WHERE seq >= 3; UPDATE audit SET seq = seq - 99 WHERE seq > 100; \
         INSERT INTO audit (tenant, seq, at, event, session, actor, target, action, resource, reason, codes, \
           end_reason, policy_version, policy_digest, expires_at, obligations, note, request, prev_hash, hash) \
         SELECT tenant, 3, at, event, session, actor, target, 'user.delete', resource, reason, codes, end_reason, \
           policy_version, policy_digest, expires_at, obligations, note, request, hash, hash FROM audit WHERE seq = 2",
    );
    assert_eq!(broken_at(&s), Some(3));
    // Appended at the end with a made-up hash.
    let (_d, s, path) = trail();
    tamper(
        &path,
        "INSERT INTO audit (tenant, seq, at, event, actor, target, codes, policy_version, policy_digest, prev_hash, hash) \
         SELECT tenant, 7, at, 'action.allowed', actor, target, '[]', 0, policy_digest, hash, 'forged' FROM audit WHERE seq = 6",
    );
    assert_eq!(broken_at(&s), Some(7));
}

#[test]
fn a_tamper_reordered_rows_are_found() {
    let (_d, s, path) = trail();
    tamper(
        &path,
        "UPDATE audit SET seq = 100 WHERE seq = 2; UPDATE audit SET seq = 2 WHERE seq = 4; \
         UPDATE audit SET seq = 4 WHERE seq = 100",
    );
    assert_eq!(broken_at(&s), Some(2));
}

#[test]
fn a_action_rows_keep_the_request_the_policy_saw_and_its_stored_facts_are_covered() {
    let (_d, s, path) = trail();
    let events = all(&s);
    let request: standin::ActionRequest =
        serde_json::from_str(events[2].request.as_deref().expect("request")).expect("an action request");
    assert_eq!(
        (request.action.as_str(), request.now, request.session.actor.id.as_str()),
        ("billing.purchase", Some(now()), "u-1")
    );
    let target: standin::Principal = serde_json::from_value(target()).expect("principal");
    assert_eq!(request.session.target.id, target.id);
    assert_eq!(request.session.target.roles, target.roles);
    // The session part is stored once; editing it breaks the first row using it.
    tamper(&path, "UPDATE audit_facts SET body = replace(body, 'u-42', 'u-43')");
    assert_eq!(broken_at(&s), Some(2));
}

#[test]
fn a_verify_names_the_tenant_and_leaves_other_chains_intact() {
    let (_d, s, path) = trail();
    let mut r = req(json!({}));
    r.tenant = "globex".to_string();
    assert!(s.sessions().start(&r, None, now()).expect("start").decision.is_allow());
    tamper(&path, "UPDATE audit SET at = at + 1 WHERE tenant = 'acme' AND seq = 6");
    let chains = s.audit().verify(None).expect("verify");
    let acme = chains.iter().find(|c| c.tenant == "acme").expect("acme");
    let globex = chains.iter().find(|c| c.tenant == "globex").expect("globex");
    let broken = acme.broken.as_ref().expect("acme broken");
    assert_eq!(broken.seq, 6);
    assert!(broken.to_string().contains("`acme`") && broken.to_string().contains('6'));
    assert!(globex.broken.is_none());
}

#[test]
fn n1_started_and_ended_messages_to_the_target_for_stop_expiry_and_revoke() {
    let (_d, s) = service();
    s.outbox()
        .set_notifications(
            "acme",
            &Notifications {
                enabled: true,
                started_template: "{actor} is now acting as you: {reason}".into(),
                ended_template: "{actor} is no longer acting as you ({end_reason})".into(),
            },
        )
        .expect("configure");
    let a = started(&s, json!({"reason": "SUP-1"}));
    s.sessions().end(&a.id, now()).expect("end");
    let b = started(&s, json!({"ttl_seconds": 60}));
    s.sessions().sweep(now() + TimeDelta::seconds(60)).expect("sweep");
    let c = s
        .sessions()
        .start(&req(json!({})), None, now() + TimeDelta::seconds(61))
        .expect("start")
        .session
        .expect("session");
    s.sessions()
        .revoke(&c.id, "audit", now() + TimeDelta::seconds(62))
        .expect("revoke");
    let messages = s.outbox().list(Some("acme"), false).expect("outbox");
    let got: Vec<(&str, &str, &str)> = messages
        .iter()
        .map(|m| (m.session.as_str(), m.kind.as_str(), m.text.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                a.id.as_str(),
                "impersonation.started",
                "u-1 is now acting as you: SUP-1"
            ),
            (
                a.id.as_str(),
                "impersonation.ended",
                "u-1 is no longer acting as you (stopped)"
            ),
            (
                b.id.as_str(),
                "impersonation.started",
                "u-1 is now acting as you: no reason given"
            ),
            (
                b.id.as_str(),
                "impersonation.ended",
                "u-1 is no longer acting as you (expired)"
            ),
            (
                c.id.as_str(),
                "impersonation.started",
                "u-1 is now acting as you: no reason given"
            ),
            (
                c.id.as_str(),
                "impersonation.ended",
                "u-1 is no longer acting as you (revoked)"
            ),
        ]
    );
    assert!(messages.iter().all(|m| m.to == "u-42" && m.tenant == "acme"));
    // Acknowledged messages leave the list.
    assert_eq!(
        s.outbox()
            .ack("acme", &[messages[0].id, messages[1].id], now())
            .expect("ack")
            .acked,
        2
    );
    assert_eq!(s.outbox().list(Some("acme"), false).expect("outbox").len(), 4);
    assert_eq!(s.outbox().list(Some("acme"), true).expect("outbox").len(), 6);
}

#[test]
fn n1_a_tenant_with_notifications_off_or_a_policy_that_says_no_gets_no_messages() {
    let (_d, s) = service();
    s.outbox()
        .set_notifications(
            "acme",
            &Notifications {
                enabled: false,
                ..Notifications::default()
            },
        )
        .expect("configure");
    let a = started(&s, json!({}));
    s.sessions().end(&a.id, now()).expect("end");
    assert!(s.outbox().list(None, true).expect("outbox").is_empty());
    s.outbox()
        .set_notifications("acme", &Notifications::default())
        .expect("configure");
    set(&s, "acme", json!({"notify_target": false}));
    let b = started(&s, json!({}));
    s.sessions().end(&b.id, now()).expect("end");
    assert!(s.outbox().list(None, true).expect("outbox").is_empty());
}

#[test]
fn n1_message_is_in_the_same_transaction_as_the_session() {
    // Every session has its started message and every message its session.
    let (_d, s) = service();
    let a = started(&s, json!({}));
    let m = s.outbox().list(None, false).expect("outbox");
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].session, a.id);
    assert_eq!(m[0].created_at, at("2026-11-21T10:00:00Z"));
}
