//! A whole session through the API: policy, start, banner (S4), actions
//! (A3, F1), extension, end (S5), audit (A1, A2) and the outbox (N1).

use crate::support::{Server, codes, start_request};
use serde_json::json;
use standin::access::Scope::{Admin, Audit, Decide};
use standin_server::client::{Client, Started};

#[tokio::test]
async fn a_whole_session_over_http_s1_s4_s5_a1_a3_f1_n1() {
    let server = Server::start();
    // A new policy version through the API, activated: notifications on.
    let (status, version) = server
        .acme(
            Admin,
            "POST",
            "/policies",
            Some(json!({"settings": {"require_reason": true}, "activate": true, "note": "v2"})),
        )
        .await;
    assert_eq!(status, 201, "{version}");
    assert_eq!(version["version"], 2);
    assert_eq!(version["active"], true);

    let mut request = start_request("u-1", "u-42");
    request["return_to"] = json!("/admin/users");
    let (status, session) = server.acme(Decide, "POST", "/sessions", Some(request)).await;
    assert_eq!(status, 201, "{session}");
    assert_eq!(session["policy"]["version"], 2);
    assert_eq!(session["return_to"], "/admin/users");
    let id = session["id"].as_str().unwrap().to_string();

    let (status, banner) = server
        .acme(Decide, "GET", &format!("/sessions/{id}/banner"), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (banner["actor"].as_str(), banner["target"].as_str()),
        (Some("u-1"), Some("u-42"))
    );
    assert!(banner["remaining_seconds"].as_i64().unwrap() > 3500);

    let (status, allowed) = server
        .acme(
            Decide,
            "POST",
            &format!("/sessions/{id}/authorize"),
            Some(json!({"action": "course.view", "resource": "c-1"})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(allowed["decision"], "allow");
    assert_eq!(
        (allowed["acting_as"].as_str(), allowed["on_behalf_of"].as_str()),
        (Some("u-42"), Some("u-1"))
    );
    let (_, denied) = server.authorize(&id, "billing.purchase").await;
    assert_eq!(denied["decision"], "deny");
    assert_eq!(codes(&denied), ["forbidden-action"]);

    // The batch route answers in order, one result per call.
    let (status, batch) = server
        .acme(
            Decide,
            "POST",
            "/authorize",
            Some(json!({"calls": [
                {"session": id, "action": "course.view"},
                {"session": "s-nope", "action": "course.view"},
                {"session": id, "action": "billing.purchase"},
            ]})),
        )
        .await;
    assert_eq!(status, 200);
    let results = batch["results"].as_array().unwrap();
    assert_eq!(results[0]["decision"], "allow");
    assert_eq!(results[1]["error"]["code"], "not-found");
    assert_eq!(results[2]["decision"], "deny");

    let (status, extended) = server
        .acme(
            Decide,
            "POST",
            &format!("/sessions/{id}/extend"),
            Some(json!({"ttl_seconds": 7200})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(extended["state"], "active");
    assert!(extended["expires_at"].as_str().unwrap() > session["expires_at"].as_str().unwrap());

    let (status, ended) = server.acme(Decide, "POST", &format!("/sessions/{id}/end"), None).await;
    assert_eq!(status, 200);
    assert_eq!(
        (ended["state"].as_str(), ended["end_reason"].as_str()),
        (Some("ended"), Some("stopped"))
    );
    let (_, after) = server.authorize(&id, "course.view").await;
    assert_eq!(after["decision"], "deny", "an ended session allows nothing");
    assert_eq!(codes(&after), ["session-ended"]);

    // The trail tells all of it, in order, and verifies.
    let response = server
        .http
        .get(server.url(&format!("/v1/tenants/acme/audit?session={id}")))
        .bearer_auth(server.key("acme", Audit))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], "application/x-ndjson");
    let text = response.text().await.unwrap();
    let events: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["event"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        events,
        [
            "session.started",
            "action.allowed",
            "action.denied",
            "action.allowed",
            "action.denied",
            "session.extended",
            "session.ended",
            "action.denied"
        ]
    );
    let (status, verified) = server.acme(Audit, "GET", "/audit/verify", None).await;
    assert_eq!(status, 200);
    assert_eq!(verified["broken"], serde_json::Value::Null);
    assert!(verified["events"].as_u64().unwrap() >= 9);

    // The CSV export has one header row.
    let csv = server
        .text(
            "/v1/tenants/acme/audit?format=csv&view=impersonated",
            Some(server.key("acme", Audit)),
        )
        .await;
    assert!(csv.starts_with("user,detail,"), "{csv}");
    assert_eq!(csv.lines().filter(|l| l.starts_with("user,")).count(), 1);

    // N1: the target was told twice; an auditor reads, an admin acknowledges.
    let (status, outbox) = server.acme(Audit, "GET", "/outbox", None).await;
    assert_eq!(status, 200);
    let messages = outbox["messages"].as_array().unwrap();
    let kinds: Vec<&str> = messages.iter().map(|m| m["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["impersonation.started", "impersonation.ended"]);
    let ids: Vec<i64> = messages.iter().map(|m| m["id"].as_i64().unwrap()).collect();
    let (status, acked) = server
        .acme(Admin, "POST", "/outbox/ack", Some(json!({"ids": ids})))
        .await;
    assert_eq!((status, acked["acked"].as_u64()), (200, Some(2)));
    let (_, outbox) = server.acme(Audit, "GET", "/outbox", None).await;
    assert!(outbox["messages"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_refused_start_is_403_with_the_deny_decision_e2() {
    let server = Server::start();
    let mut request = start_request("u-1", "u-42");
    request["target"]["active"] = json!(false);
    let (status, deny) = server.acme(Decide, "POST", "/sessions", Some(request)).await;
    assert_eq!(status, 403, "{deny}");
    assert_eq!(deny["decision"], "deny");
    assert_eq!(codes(&deny), ["target-inactive"]);
    assert_eq!(deny["policy"]["version"], 1);
    // Nothing started, and the refusal is audited.
    let (_, list) = server.acme(Decide, "GET", "/sessions?active=true", None).await;
    assert!(list["sessions"].as_array().unwrap().is_empty());
    let (_, denied) = server.acme(Audit, "GET", "/audit?event=session.denied", None).await;
    assert_eq!(denied["event"], "session.denied");
}

#[tokio::test]
async fn revoke_needs_admin_and_ends_the_session_for_everyone_s6() {
    let server = Server::start();
    let id = server.session("u-42").await;
    let (status, _) = server
        .acme(
            Decide,
            "POST",
            &format!("/sessions/{id}/revoke"),
            Some(json!({"reason": "abuse"})),
        )
        .await;
    assert_eq!(status, 403, "a decide key cannot revoke");
    let (status, revoked) = server
        .acme(
            Admin,
            "POST",
            &format!("/sessions/{id}/revoke"),
            Some(json!({"reason": "abuse"})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(revoked["end_reason"], "revoked");
    let (status, again) = server.acme(Decide, "POST", &format!("/sessions/{id}/end"), None).await;
    assert_eq!(status, 409, "{again}");
    assert_eq!(again["error"]["code"], "session-ended");
}

#[tokio::test]
async fn the_typed_client_runs_a_session() {
    let server = Server::start();
    let client = Client::new(&server.base, "acme", server.key("acme", Decide));
    let request = serde_json::from_value(start_request("u-1", "u-7")).unwrap();
    let Started::Session(session) = client.start(&request, Some("/admin")).await.unwrap() else {
        panic!("the start was refused");
    };
    assert_eq!(session.return_to.as_deref(), Some("/admin"));
    let answer = client.authorize(&session.id, "billing.purchase", None).await.unwrap();
    assert!(!answer.decision.is_allow());
    assert_eq!(answer.acting_as, "u-7");
    let ended = client.end(&session.id).await.unwrap();
    assert_eq!(ended.end_reason.as_deref(), Some("stopped"));
    let error = client.end(&session.id).await.unwrap_err();
    assert!(
        matches!(error, standin_server::client::ClientError::Api { status: 409, .. }),
        "{error}"
    );
}

#[tokio::test]
async fn an_extension_never_shortens_and_says_so_s3() {
    let server = Server::start();
    let id = server.session("u-42").await;
    let (status, kept) = server
        .acme(
            Decide,
            "POST",
            &format!("/sessions/{id}/extend"),
            Some(json!({"ttl_seconds": 60})),
        )
        .await;
    assert_eq!(status, 200, "{kept}");
    assert_eq!(kept["kept_expiry"], true);
    let (status, body) = server
        .acme(
            Decide,
            "POST",
            &format!("/sessions/{id}/extend"),
            Some(json!({"ttl_seconds": 0})),
        )
        .await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("invalid-request")));
}

#[tokio::test]
async fn check_action_asks_the_tenants_policy_about_a_described_session_f1() {
    let server = Server::start();
    let request = |action: &str| {
        json!({
            "tenant": "acme",
            "session": {
                "id": "s-described", "actor": {"id": "u-1", "roles": ["super_admin"]},
                "target": {"id": "u-42", "active": true, "has_logged_in": true},
                "started_at": "2026-11-29T10:00:00Z", "expires_at": "2026-11-29T11:00:00Z",
            },
            "action": action,
            "now": "2026-11-29T10:05:00Z",
        })
    };
    let (status, allow) = server
        .acme(Decide, "POST", "/check/action", Some(request("course.view")))
        .await;
    assert_eq!((status, allow["decision"].as_str()), (200, Some("allow")), "{allow}");
    let (_, deny) = server
        .acme(Decide, "POST", "/check/action", Some(request("billing.purchase")))
        .await;
    assert_eq!(codes(&deny), ["forbidden-action"]);
    assert_eq!(deny["policy"]["version"], 1);
    // Nothing was stored: no session, no audit event of it.
    let (_, events) = server.acme(Audit, "GET", "/audit?session=s-described", None).await;
    assert_eq!(events, serde_json::Value::String(String::new()));
}

#[tokio::test]
async fn a_long_trail_streams_page_by_page_in_order_a4() {
    let server = Server::start();
    let id = server.session("u-42").await;
    let calls: Vec<_> = (0..2500)
        .map(|i| json!({"session": id, "action": "course.view", "resource": format!("r-{i}")}))
        .collect();
    let (status, _) = server
        .acme(Decide, "POST", "/authorize", Some(json!({"calls": calls})))
        .await;
    assert_eq!(status, 200);
    let get = |query: &'static str| {
        let request = server
            .http
            .get(server.url(&format!("/v1/tenants/acme/audit{query}")))
            .bearer_auth(server.key("acme", Audit));
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    let jsonl = get("").await;
    let seqs: Vec<u64> = jsonl
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["seq"]
                .as_u64()
                .unwrap()
        })
        .collect();
    // The policy upload, the start, 2,500 actions: every one, once, in order.
    assert_eq!(seqs, (1..=2502).collect::<Vec<u64>>());
    let csv = get("?format=csv").await;
    assert_eq!(csv.lines().count(), 1 + 2502);
    assert_eq!(
        csv.lines()
            .filter(|l| l.starts_with("seq,") || l.starts_with("user,"))
            .count(),
        1,
        "one header row"
    );
    let filtered = get("?event=action.allowed&since=2000-01-01T00:00:00Z").await;
    assert_eq!(filtered.lines().count(), 2500);
}

/// A4: the CSV export over HTTP shows what a refused request sent (a raw
/// escape sequence, a bell, line breaks, a right-to-left override, a
/// backslash) escaped, as the CLI does: one line per row, nothing a
/// terminal or a line-splitting reader would act on.
#[tokio::test]
async fn a4_csv_over_http_escapes_control_and_format_characters() {
    let server = Server::start();
    let mut request = start_request("u-1", "u-42");
    let reason = "SUP-1\u{1b}]0;pwned\u{7}\u{1b}[2J\r\n99,acme,forged\u{202e}\\n";
    request["reason"] = json!(reason);
    let (status, deny) = server.acme(Decide, "POST", "/sessions", Some(request)).await;
    assert_eq!(status, 403, "{deny}");
    assert_eq!(codes(&deny), ["invalid-request"]);
    let csv = server
        .text(
            "/v1/tenants/acme/audit?format=csv&event=session.denied",
            Some(server.key("acme", Audit)),
        )
        .await;
    assert!(!csv.contains(['\u{1b}', '\u{7}', '\r', '\u{202e}']), "{csv:?}");
    assert_eq!(csv.lines().count(), 2, "a header and one row: {csv:?}");
    assert!(
        csv.contains(r#""SUP-1\u{1b}]0;pwned\u{7}\u{1b}[2J\r\n99,acme,forged\u{202e}\\n""#),
        "{csv}"
    );
}
