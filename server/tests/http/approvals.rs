//! Approval over HTTP: a start that needs approval answers `202` with the
//! pending session; `POST .../approve|reject` answer it; the session's
//! token comes with the approval; AuthZEN says a pending start is no
//! permit (AP1).

use crate::support::{Server, codes, four_eyes, start_request};
use serde_json::{Value, json};
use standin::access::Scope::Decide;

async fn request(server: &Server) -> Value {
    let (status, pending) = server
        .acme(Decide, "POST", "/sessions", Some(start_request("u-1", "u-42")))
        .await;
    assert_eq!(status, 202, "{pending}");
    assert_eq!(pending["state"], "pending");
    assert_eq!(pending["decision"], "pending");
    assert_eq!(pending["approvers"]["roles"], json!(["security_officer"]));
    assert!(pending.get("token").is_none(), "{pending}");
    pending
}

fn officer() -> Value {
    json!({"id": "u-officer", "roles": ["security_officer"], "active": true})
}

#[tokio::test]
async fn ap1_approve_over_http_starts_the_session_with_its_token() {
    let server = Server::with_tokens(7);
    four_eyes(&server);
    let pending = request(&server).await;
    let id = pending["id"].as_str().unwrap();
    let metrics = server.text("/metrics", None).await;
    assert!(
        metrics.contains(r#"standin_decisions_total{tenant="acme",kind="start",decision="pending",code="none"} 1"#),
        "a pending start is counted as such"
    );
    let (_, early) = server.authorize(id, "course.view").await;
    assert_eq!(codes(&early), ["session-pending"], "{early}");
    // The actor asks to approve their own request: refused, still pending.
    let (status, refused) = server
        .acme(
            Decide,
            "POST",
            &format!("/sessions/{id}/approve"),
            Some(json!({"approver": {"id": "u-1", "roles": ["security_officer"]}})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(refused["decision"], "deny");
    assert_eq!(codes(&refused), ["approver-is-actor"], "{refused}");
    let (status, approved) = server
        .acme(
            Decide,
            "POST",
            &format!("/sessions/{id}/approve"),
            Some(json!({"approver": officer()})),
        )
        .await;
    assert_eq!(status, 200, "{approved}");
    assert_eq!(approved["state"], "active");
    let token = approved["token"].as_str().expect("a token once approved");
    let (_, now_allowed) = server.authorize(id, "course.view").await;
    assert_eq!(now_allowed["decision"], "allow", "{now_allowed}");
    let (status, seen) = server
        .acme(Decide, "POST", "/tokens/introspect", Some(json!({"token": token})))
        .await;
    assert_eq!(status, 200);
    assert_eq!(seen["active"], true, "{seen}");
    // Answering again: it no longer waits.
    let (status, again) = server
        .acme(
            Decide,
            "POST",
            &format!("/sessions/{id}/approve"),
            Some(json!({"approver": officer()})),
        )
        .await;
    assert_eq!(status, 409, "{again}");
}

#[tokio::test]
async fn ap1_reject_over_http_ends_the_request() {
    let server = Server::start();
    four_eyes(&server);
    let pending = request(&server).await;
    let id = pending["id"].as_str().unwrap();
    let (status, out) = server
        .acme(
            Decide,
            "POST",
            &format!("/sessions/{id}/reject"),
            Some(json!({"approver": officer()})),
        )
        .await;
    assert_eq!(status, 400, "a rejection says why: {out}");
    let (status, rejected) = server
        .acme(
            Decide,
            "POST",
            &format!("/sessions/{id}/reject"),
            Some(json!({"approver": officer(), "reason": "not now"})),
        )
        .await;
    assert_eq!(status, 200, "{rejected}");
    assert_eq!(rejected["end_reason"], "rejected");
    let events = server.events("acme", &format!("?session={id}")).await;
    assert_eq!(events, ["session.requested", "session.ended"], "{events:?}");
}

#[tokio::test]
async fn ap1_authzen_says_a_start_that_needs_approval_is_no_permit() {
    let server = Server::start();
    four_eyes(&server);
    let question = json!({
        "subject": {"type": "user", "id": "u-1", "properties": {"roles": ["super_admin"]}},
        "action": {"name": "impersonate"},
        "resource": {"type": "user", "id": "u-42", "properties": {"active": true, "has_logged_in": true}},
        "context": {"reason": "ticket SUP-9"},
    });
    let (status, answer) = server
        .acme(Decide, "POST", "/access/v1/evaluation", Some(question))
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["decision"], false, "{answer}");
    assert_eq!(answer["context"]["pending"], true);
    assert_eq!(answer["context"]["approvers"]["roles"], json!(["security_officer"]));
}
