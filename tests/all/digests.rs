//! Changes made on the target's behalf (N2, beyond the seeds): with
//! `notify_changes`, the allowed actions that match are summed up in one
//! `impersonation.changes` message to the target when the session ends,
//! however it ends.

use crate::common::*;
use crate::sessions::{assert_intact, service, set, started};
use serde_json::json;
use standin::model::kinds;

fn changes(s: &standin::Standin) -> Vec<standin::model::OutboxMessage> {
    s.outbox()
        .list(Some("acme"), true)
        .expect("outbox")
        .into_iter()
        .filter(|m| m.kind == kinds::CHANGES)
        .collect()
}

#[test]
fn n2_matching_changes_are_summed_up_to_the_target_when_the_session_ends() {
    let (_d, s) = service();
    set(&s, "acme", json!({"notify_changes": ["profile.*"]}));
    let session = started(&s, json!({}));
    let changed = s
        .sessions()
        .authorize(&session.id, "profile.update", Some("avatar"), now())
        .expect("authorize");
    assert!(
        changed.decision.obligations().iter().any(|o| o == "change-digest"),
        "{:?}",
        changed.decision
    );
    s.sessions()
        .authorize(&session.id, "course.view", Some("c-1"), now())
        .expect("authorize");
    s.sessions()
        .authorize(&session.id, "billing.purchase", None, now())
        .expect("authorize (denied)");
    assert!(changes(&s).is_empty(), "nothing before the end");
    s.sessions().end(&session.id, now()).expect("end");
    let digest = changes(&s);
    assert_eq!(digest.len(), 1, "{digest:?}");
    assert_eq!(digest[0].to, "u-42");
    assert!(
        digest[0].text.contains("profile.update on avatar"),
        "{}",
        digest[0].text
    );
    assert!(
        !digest[0].text.contains("course.view"),
        "only matching actions: {}",
        digest[0].text
    );
    assert_intact(&s);
}

#[test]
fn n2_no_digest_without_matching_changes_and_one_on_expiry_or_revoke() {
    let (_d, s) = service();
    set(&s, "acme", json!({"notify_changes": ["profile.*"]}));
    let quiet = started(&s, json!({}));
    s.sessions()
        .authorize(&quiet.id, "course.view", None, now())
        .expect("authorize");
    s.sessions().end(&quiet.id, now()).expect("end");
    assert!(changes(&s).is_empty(), "no change, no message");

    let other = patch(actor(), json!({"id": "u-2"}));
    let revoked = s
        .sessions()
        .start(
            &start_request(other, patch(target(), json!({"id": "u-43"})), json!({})),
            None,
            now(),
        )
        .expect("start")
        .session
        .expect("allowed");
    s.sessions()
        .authorize(&revoked.id, "profile.rename", None, now())
        .expect("authorize");
    s.sessions().revoke(&revoked.id, "done", now()).expect("revoke");
    let expiring = started(&s, json!({}));
    s.sessions()
        .authorize(&expiring.id, "profile.update", None, now())
        .expect("authorize");
    s.sessions().sweep(expiring.expires_at).expect("sweep");
    let sent: Vec<String> = changes(&s).into_iter().map(|m| m.to).collect();
    assert_eq!(sent, ["u-43", "u-42"], "one digest per session that ended with changes");
}
