//! Re-evaluation ("beyond the seeds"): new facts about a principal end the
//! sessions they no longer allow and update the others; an actor's
//! sessions are revoked all at once (E1, E9, S5).

use crate::common::*;
use crate::sessions::{assert_intact, service, started, trail};
use serde_json::json;
use standin::request::Principal;

fn principal(value: serde_json::Value) -> Principal {
    serde_json::from_value(value).expect("principal")
}

#[test]
fn e1_an_actor_who_loses_the_impersonator_role_loses_every_session() {
    let (_d, s) = service();
    let first = started(&s, json!({}));
    let other_target = patch(target(), json!({"id": "u-43"}));
    let other_actor = patch(actor(), json!({"id": "u-2"}));
    let second = s
        .sessions()
        .start(&start_request(other_actor, other_target, json!({})), None, now())
        .expect("start")
        .session
        .expect("allowed");
    // u-1 is no longer an admin: its session ends, u-2's does not.
    let demoted = principal(patch(actor(), json!({"roles": ["employee"], "permissions": []})));
    let out = s.sessions().update_principal("acme", &demoted, now()).expect("update");
    assert_eq!(
        out.ended.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        [first.id.as_str()]
    );
    assert!(out.kept.is_empty());
    assert_eq!(
        s.sessions()
            .session(&first.id, now())
            .expect("session")
            .end_reason
            .map(|r| r.as_str()),
        Some("revoked")
    );
    assert!(s.sessions().session(&second.id, now()).expect("session").is_active());
    // The end is recorded with the codes that ended it, and nothing more is allowed.
    let ended = trail(&s)
        .into_iter()
        .find(|e| e.event == "session.ended" && e.session.as_deref() == Some(first.id.as_str()))
        .expect("session.ended");
    assert_eq!(ended.end_reason.as_deref(), Some("revoked"));
    assert!(ended.codes.iter().any(|c| c == "not-permitted"), "{:?}", ended.codes);
    let after = s
        .sessions()
        .authorize(&first.id, "course.view", None, now())
        .expect("authorize");
    assert_deny(&after.decision, &["session-ended"]);
    assert_intact(&s);
}

#[test]
fn e9_a_target_deactivated_ends_its_sessions_and_allowed_facts_are_kept() {
    let (_d, s) = service();
    let session = started(&s, json!({}));
    // New facts that still allow: the session goes on, with them.
    let moved = principal(patch(target(), json!({"groups": ["dept-support"]})));
    let out = s.sessions().update_principal("acme", &moved, now()).expect("update");
    assert_eq!(out.kept, std::slice::from_ref(&session.id));
    assert!(out.ended.is_empty());
    let kept = s.sessions().session(&session.id, now()).expect("session");
    assert!(kept.is_active());
    assert_eq!(
        kept.target_principal.groups,
        ["dept-support"],
        "the session carries the new facts"
    );
    // The target is deactivated: the session ends.
    let gone = principal(patch(target(), json!({"active": false})));
    let out = s.sessions().update_principal("acme", &gone, now()).expect("update");
    assert_eq!(out.ended.len(), 1);
    assert!(!s.sessions().session(&session.id, now()).expect("session").is_active());
    // An unrelated principal touches nothing.
    let stranger = principal(json!({"id": "u-999"}));
    let out = s.sessions().update_principal("acme", &stranger, now()).expect("update");
    assert!(out.kept.is_empty() && out.ended.is_empty());
    assert_intact(&s);
}

#[test]
fn s5_revoking_an_actor_ends_all_its_sessions_and_no_one_elses() {
    let (_d, s) = service();
    let mine = started(&s, json!({}));
    let other_actor = patch(actor(), json!({"id": "u-2"}));
    let theirs = s
        .sessions()
        .start(
            &start_request(other_actor, patch(target(), json!({"id": "u-43"})), json!({})),
            None,
            now(),
        )
        .expect("start")
        .session
        .expect("allowed");
    let ended = s
        .sessions()
        .revoke_actor("acme", "u-1", "left the company", now())
        .expect("revoke");
    assert_eq!(
        ended.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        [mine.id.as_str()]
    );
    assert_eq!(ended[0].revoke_reason.as_deref(), Some("left the company"));
    assert!(s.sessions().session(&theirs.id, now()).expect("session").is_active());
    assert!(
        s.sessions()
            .revoke_actor("acme", "u-1", "again", now())
            .expect("revoke")
            .is_empty(),
        "nothing left to revoke"
    );
    assert!(
        s.sessions().revoke_actor("acme", "u-2", "  ", now()).is_err(),
        "a blank reason is refused"
    );
    assert_intact(&s);
}
