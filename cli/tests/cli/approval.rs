//! `standin session approve` / `reject`: a start that needs approval exits
//! 4 with the pending session; the approver's answer is judged by the
//! policy (exit 2 when refused); approval starts the session, with a token.

use crate::serve::{json, run};
use std::path::Path;

fn setup(d: &Path) {
    std::fs::write(
        d.join("settings.json"),
        r#"{"impersonator_roles": ["support_agent"], "approval": "always", "target_approves": true,
            "approver_roles": ["support_lead"], "approval_ttl_seconds": 600}"#,
    )
    .expect("write");
    json(&run(
        d,
        &["policy", "set", "--tenant", "acme", "--settings", "settings.json"],
    ));
    json(&run(d, &["key", "gen-signing", "--out", "token.key"]));
    std::fs::write(
        d.join("start.json"),
        r#"{"tenant": "acme", "reason": "case 42", "actor": {"id": "u-agent", "roles": ["support_agent"]},
            "target": {"id": "u-cust", "active": true, "has_logged_in": true}}"#,
    )
    .expect("write");
    std::fs::write(d.join("customer.json"), r#"{"id": "u-cust", "active": true}"#).expect("write");
    std::fs::write(
        d.join("agent.json"),
        r#"{"id": "u-agent", "roles": ["support_agent"], "active": true}"#,
    )
    .expect("write");
    std::fs::write(
        d.join("lead.json"),
        r#"{"id": "u-lead", "roles": ["support_lead"], "active": true}"#,
    )
    .expect("write");
}

/// Starts a request: exit 4, the session pending.
fn request(d: &Path) -> String {
    let out = run(d, &["--token-key", "token.key", "session", "start", "start.json"]);
    assert_eq!(out.status.code(), Some(4), "{out:?}");
    let pending: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(pending["state"], "pending");
    assert_eq!(pending["decision"], "pending");
    assert_eq!(pending["approvers"]["target"], true);
    assert_eq!(pending["approvers"]["roles"][0], "support_lead");
    assert!(pending.get("token").is_none(), "no token before approval: {pending}");
    pending["id"].as_str().expect("id").to_string()
}

#[test]
fn ap1_target_consent_from_the_cli() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    setup(d);
    let id = request(d);
    let waiting = run(d, &["authorize", &id, "course.view"]);
    assert_eq!(waiting.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&waiting.stdout).contains("session-pending"));
    // The agent cannot approve their own request: exit 2, still pending.
    let refused = run(d, &["session", "approve", &id, "--approver", "agent.json"]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert!(String::from_utf8_lossy(&refused.stdout).contains("approver-is-actor"));
    // The customer grants access: active, with a token.
    let approved = json(&run(
        d,
        &[
            "--token-key",
            "token.key",
            "session",
            "approve",
            &id,
            "--approver",
            "customer.json",
        ],
    ));
    assert_eq!(approved["state"], "active");
    assert_eq!(approved["approval"]["approved_by"], "u-cust");
    assert_eq!(approved["token"].as_str().expect("token").split('.').count(), 3);
    assert_eq!(run(d, &["authorize", &id, "course.view"]).status.code(), Some(0));
    // The trail tells the story.
    let audit = run(d, &["audit", "query", "--tenant", "acme", "--session", &id]);
    let text = String::from_utf8_lossy(&audit.stdout);
    for event in [
        "session.requested",
        "approval.denied",
        "session.approved",
        "action.allowed",
    ] {
        assert!(text.contains(event), "{event}: {text}");
    }
    assert_eq!(run(d, &["audit", "verify"]).status.code(), Some(0));
}

#[test]
fn ap1_a_lead_rejects_from_the_cli() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    setup(d);
    let id = request(d);
    let rejected = json(&run(
        d,
        &[
            "session",
            "reject",
            &id,
            "--approver",
            "lead.json",
            "--reason",
            "not today",
        ],
    ));
    assert_eq!(rejected["end_reason"], "rejected");
    assert_eq!(rejected["revoke_reason"], "not today");
    let again = run(d, &["session", "approve", &id, "--approver", "lead.json"]);
    assert_eq!(again.status.code(), Some(1), "no longer pending: an error, {again:?}");
    assert!(String::from_utf8_lossy(&again.stderr).contains("not waiting for approval"));
    // The approvers were asked through the outbox.
    let outbox = String::from_utf8_lossy(&run(d, &["outbox", "list", "--tenant", "acme"]).stdout).to_string();
    assert!(outbox.contains("impersonation.approval-requested"), "{outbox}");
    assert!(outbox.contains("role:support_lead"), "{outbox}");
}
