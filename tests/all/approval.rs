//! Approval (AP1, beyond the seeds): a start the policy answers `pending`
//! waits for an approver; the policy judges the approver, the host refuses
//! the actor; approval starts the clock, rejection and silence end the
//! request; nothing is done in a session that waits.

use crate::common::*;
use crate::sessions::{assert_intact, at, service, set, trail};
use serde_json::{Value, json};
use standin::request::Principal;
use standin::{SessionError, Standin};
use standin_store_sqlite::OpenSqlite;
use standin_tests::{MISCHIEF, component};

/// Four eyes: targets at level 60 or above wait for a security officer.
pub fn four_eyes() -> Value {
    json!({
        "role_levels": {"super_admin": 100, "security_officer": 90, "finance_manager": 60, "employee": 10},
        "approval": "privileged",
        "approval_min_target_level": 60,
        "approver_roles": ["security_officer"],
        "approval_ttl_seconds": 900,
        "default_ttl_seconds": 1800
    })
}

pub fn officer() -> Principal {
    serde_json::from_value(json!({"id": "u-officer", "roles": ["security_officer"], "active": true}))
        .expect("principal")
}

fn as_principal(value: Value) -> Principal {
    serde_json::from_value(value).expect("principal")
}

fn cfo() -> Value {
    patch(target(), json!({"id": "u-cfo", "roles": ["finance_manager"]}))
}

/// A pending request of the base actor for the CFO, at `now()`.
fn requested(s: &Standin) -> standin::SessionRecord {
    let out = s
        .sessions()
        .start(&start_request(actor(), cfo(), json!({"reason": "INC-7"})), None, now())
        .expect("start");
    assert!(out.decision.is_pending(), "{:?}", out.decision);
    out.session.expect("a pending session")
}

fn events_of(s: &Standin, id: &str) -> Vec<String> {
    trail(s)
        .into_iter()
        .filter(|e| e.session.as_deref() == Some(id))
        .map(|e| e.event)
        .collect()
}

#[test]
fn ap1_a_privileged_start_waits_and_its_clock_starts_at_the_approval() {
    let (_d, s) = service();
    set(&s, "acme", four_eyes());
    // An ordinary target needs nobody.
    let plain = s
        .sessions()
        .start(&start_request(actor(), target(), json!({})), None, now())
        .expect("start");
    assert!(plain.decision.is_allow());
    s.sessions()
        .end(&plain.session.expect("session").id, now())
        .expect("end");

    let pending = requested(&s);
    assert_eq!(pending.state.as_str(), "pending");
    assert_eq!(
        pending.expires_at,
        at("2026-11-21T10:15:00Z"),
        "the request waits 900 s"
    );
    let approvers = &pending.approval.as_ref().expect("approval").approvers;
    assert_eq!(approvers.roles, ["security_officer"]);
    // Nothing is done while it waits.
    let early = s
        .sessions()
        .authorize(&pending.id, "course.view", None, now())
        .expect("authorize");
    assert_deny(&early.decision, &["session-pending"]);
    assert!(matches!(
        s.sessions().extend(&pending.id, 600, now()),
        Err(SessionError::Pending { .. })
    ));
    // The approvers are asked through the outbox.
    let asked: Vec<_> = s
        .outbox()
        .list(Some("acme"), false)
        .expect("outbox")
        .into_iter()
        .filter(|m| m.kind == "impersonation.approval-requested")
        .collect();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].to, "role:security_officer");
    assert!(asked[0].text.contains(&pending.id));

    let later = at("2026-11-21T10:05:00Z");
    let out = s.sessions().approve(&pending.id, &officer(), later).expect("approve");
    assert!(out.decision.is_allow(), "{:?}", out.decision);
    let active = out.session;
    assert!(active.is_active());
    assert_eq!(active.started_at, later, "the clock starts at the approval");
    assert_eq!(
        active.expires_at,
        at("2026-11-21T10:35:00Z"),
        "1800 s from the approval"
    );
    assert_eq!(
        active.approval.as_ref().and_then(|a| a.approved_by.as_deref()),
        Some("u-officer")
    );
    let allowed = s
        .sessions()
        .authorize(&active.id, "course.view", None, later)
        .expect("authorize");
    assert_allow(&allowed.decision);
    assert_eq!(
        events_of(&s, &active.id),
        [
            "session.requested",
            "action.denied",
            "session.approved",
            "action.allowed"
        ]
    );
    // Approving twice is refused: it is no longer pending.
    assert!(matches!(
        s.sessions().approve(&active.id, &officer(), later),
        Err(SessionError::NotPending { state: "active", .. })
    ));
    assert_intact(&s);
}

#[test]
fn ap1_an_approver_the_policy_refuses_leaves_the_request_waiting() {
    let (_d, s) = service();
    set(&s, "acme", four_eyes());
    let pending = requested(&s);
    let colleague = as_principal(json!({"id": "u-2", "roles": ["super_admin"], "active": true}));
    let out = s.sessions().approve(&pending.id, &colleague, now()).expect("answer");
    assert_deny(&out.decision, &["approver-not-allowed"]);
    assert!(out.session.is_pending(), "still waiting");
    // The actor is refused too, and so is an officer of another tenant.
    let myself = as_principal(actor());
    let out = s.sessions().approve(&pending.id, &myself, now()).expect("answer");
    assert_deny(&out.decision, &["approver-is-actor"]);
    let foreign = as_principal(json!({"id": "u-x", "tenant": "globex", "roles": ["security_officer"], "active": true}));
    let out = s.sessions().approve(&pending.id, &foreign, now()).expect("answer");
    assert!(out.decision.codes().any(|c| c == "cross-tenant"), "{:?}", out.decision);
    let denied: Vec<_> = trail(&s).into_iter().filter(|e| e.event == "approval.denied").collect();
    assert_eq!(denied.len(), 3, "each refused answer is audited");
    assert!(s.sessions().session(&pending.id, now()).expect("session").is_pending());
    assert_intact(&s);
}

#[test]
fn ap1_a_rejected_request_ends_rejected_and_an_unanswered_one_expires() {
    let (_d, s) = service();
    set(&s, "acme", four_eyes());
    let first = requested(&s);
    let out = s
        .sessions()
        .reject(&first.id, &officer(), "not during the audit", now())
        .expect("reject");
    assert!(out.decision.is_allow());
    assert_eq!(out.session.end_reason.map(|r| r.as_str()), Some("rejected"));
    assert_eq!(out.session.revoke_reason.as_deref(), Some("not during the audit"));
    let denied = s
        .sessions()
        .authorize(&first.id, "course.view", None, now())
        .expect("authorize");
    assert_deny(&denied.decision, &["session-ended"]);

    let second = requested(&s);
    // Nobody answers: at its deadline the sweep ends it.
    let swept = s.sessions().sweep(at("2026-11-21T10:15:00Z")).expect("sweep");
    assert_eq!(swept.len(), 1);
    assert_eq!(swept[0].id, second.id);
    assert_eq!(swept[0].end_reason.map(|r| r.as_str()), Some("approval-expired"));
    assert!(matches!(
        s.sessions().approve(&second.id, &officer(), at("2026-11-21T10:16:00Z")),
        Err(SessionError::NotPending {
            state: "approval-expired",
            ..
        })
    ));
    // A request that never started sends no `impersonation.ended`.
    let outbox = s.outbox().list(Some("acme"), false).expect("outbox");
    assert!(outbox.iter().all(|m| m.kind != "impersonation.ended"), "{outbox:?}");
    assert_intact(&s);
}

#[test]
fn ap1_approval_rechecks_the_start_with_the_newest_facts() {
    let (_d, s) = service();
    set(&s, "acme", four_eyes());
    let pending = requested(&s);
    // The actor loses the impersonator role while waiting: re-evaluation
    // ends the request, so no approval can let them in.
    let demoted = as_principal(patch(actor(), json!({"roles": ["employee"], "permissions": []})));
    let out = s.sessions().update_principal("acme", &demoted, now()).expect("update");
    assert_eq!(out.ended.len(), 1, "the pending request is asked again too");
    assert!(matches!(
        s.sessions().approve(&pending.id, &officer(), now()),
        Err(SessionError::NotPending { state: "revoked", .. })
    ));
    // A request made while the actor is in another session needs nesting
    // at the approval too.
    let again = requested(&s);
    let other = s
        .sessions()
        .start(
            &start_request(actor(), patch(target(), json!({"id": "u-43"})), json!({})),
            None,
            now(),
        )
        .expect("start");
    assert!(other.decision.is_allow());
    let out = s.sessions().approve(&again.id, &officer(), now()).expect("answer");
    assert_deny(&out.decision, &["nested-impersonation"]);
    // Turning it down is judged on the request as it was made: the officer
    // may, whatever the actor did since.
    let out = s
        .sessions()
        .reject(&again.id, &officer(), "one session at a time", now())
        .expect("reject");
    assert!(out.decision.is_allow(), "{:?}", out.decision);
    assert_eq!(out.session.end_reason.map(|r| r.as_str()), Some("rejected"));
    assert_intact(&s);
}

#[test]
fn ap1_a_database_writer_activating_a_request_is_caught_by_verify() {
    let (dir, s) = service();
    set(&s, "acme", four_eyes());
    let pending = requested(&s);
    let db = rusqlite::Connection::open(dir.path().join("standin.db")).expect("open");
    db.execute("UPDATE sessions SET state = 'active' WHERE id = ?1", [&pending.id])
        .expect("tamper");
    let chains = s.audit().verify(Some("acme")).expect("verify");
    let broken = chains[0].broken.as_ref().expect("broken");
    assert!(broken.problem.contains("never approved"), "{}", broken.problem);
}

/// A tenant running the mischief component, whose approvals let anyone in.
fn mischief(s: &Standin) {
    activate_component(s, &component(MISCHIEF));
}

#[test]
fn ap1_hostile_policy_cannot_let_the_actor_approve_nor_wait_without_approvers() {
    // Short deadlines: one of its answers loops.
    let dir = tempfile::tempdir().expect("dir");
    let s = Standin::open(hostile_host().clone(), dir.path().join("standin.db")).expect("open");
    mischief(&s);
    let ask = |reason: &str| {
        s.sessions()
            .start(
                &start_request(actor(), target(), json!({"reason": reason})),
                None,
                now(),
            )
            .expect("start")
    };
    let pending = ask("pending").session.expect("pending");
    assert!(pending.is_pending());
    // The policy says yes to everyone; the host still refuses the actor,
    // whatever the case of the id.
    let myself = as_principal(patch(actor(), json!({"id": "U-1"})));
    let out = s.sessions().approve(&pending.id, &myself, now()).expect("answer");
    assert_deny(&out.decision, &["approver-is-actor"]);
    assert!(out.session.is_pending());
    // A wait with nobody to answer, or for ever, is a policy error.
    for reason in ["pending-nobody", "pending-forever"] {
        let out = ask(reason);
        assert_deny(&out.decision, &["policy-error"]);
        assert!(out.session.is_none(), "{reason}");
    }
    // A policy that loops while judging an approver is denied, not waited for.
    let looping = ask("pending-then-loop").session.expect("pending");
    let out = s.sessions().approve(&looping.id, &officer(), now()).expect("answer");
    assert_deny(&out.decision, &["policy-timeout"]);
    assert!(out.session.is_pending());
    assert_intact(&s);
}
