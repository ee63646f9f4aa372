//! AuthZEN 1.0: discovery, evaluation (both questions), evaluations with
//! defaults and the three semantics; session questions audited like
//! `authorize`.

use crate::support::Server;
use serde_json::{Value, json};
use standin::access::Scope::Decide;

fn in_session(id: &str, action: &str) -> Value {
    json!({
        "subject": {"type": "impersonation_session", "id": id},
        "action": {"name": action},
        "resource": {"type": "course", "id": "c-1"},
    })
}

fn may_start(actor_roles: Value, target_active: bool) -> Value {
    json!({
        "subject": {"type": "user", "id": "u-1", "properties": {"roles": actor_roles, "department": "ignored"}},
        "action": {"name": "impersonate"},
        "resource": {"type": "user", "id": "u-42", "properties": {"active": target_active, "has_logged_in": true}},
        "context": {"reason": "ticket SUP-9", "ttl_seconds": 600, "unknown": 1},
    })
}

async fn audit_events(server: &Server, session: &str) -> Vec<String> {
    server.events("acme", &format!("?session={session}")).await
}

#[tokio::test]
async fn discovery_names_the_tenants_endpoints() {
    let server = Server::start();
    let (status, meta) = server
        .call("GET", "/.well-known/authzen-configuration/acme", None, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(meta["policy_decision_point"], format!("{}/acme", server.base));
    assert_eq!(
        meta["access_evaluation_endpoint"],
        format!("{}/v1/tenants/acme/access/v1/evaluation", server.base)
    );
    assert_eq!(
        meta["access_evaluations_endpoint"],
        format!("{}/v1/tenants/acme/access/v1/evaluations", server.base)
    );
}

#[tokio::test]
async fn an_evaluation_in_a_session_is_authorize_and_audited_a3_f1() {
    let server = Server::start();
    let id = server.session("u-42").await;
    let (status, allow) = server
        .acme(
            Decide,
            "POST",
            "/access/v1/evaluation",
            Some(in_session(&id, "course.view")),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(allow["decision"], true);
    assert_eq!(allow["context"]["acting_as"], "u-42");
    assert_eq!(allow["context"]["on_behalf_of"], "u-1");
    let (_, deny) = server
        .acme(
            Decide,
            "POST",
            "/access/v1/evaluation",
            Some(in_session(&id, "billing.purchase")),
        )
        .await;
    assert_eq!(deny["decision"], false);
    assert_eq!(deny["context"]["reasons"][0]["code"], "forbidden-action");
    assert_eq!(
        audit_events(&server, &id).await,
        ["session.started", "action.allowed", "action.denied"]
    );
}

#[tokio::test]
async fn may_one_start_is_check_start_and_stores_nothing_e2() {
    let server = Server::start();
    let (status, allow) = server
        .acme(
            Decide,
            "POST",
            "/access/v1/evaluation",
            Some(may_start(json!(["super_admin"]), true)),
        )
        .await;
    assert_eq!(status, 200, "{allow}");
    assert_eq!(allow["decision"], true, "{allow}");
    assert_eq!(allow["context"]["grant"]["ttl_seconds"], 600);
    let (_, deny) = server
        .acme(
            Decide,
            "POST",
            "/access/v1/evaluation",
            Some(may_start(json!(["super_admin"]), false)),
        )
        .await;
    assert_eq!(deny["decision"], false);
    assert_eq!(deny["context"]["reasons"][0]["code"], "target-inactive");
    assert!(deny["context"].get("grant").is_none());
    let (_, list) = server.acme(Decide, "GET", "/sessions", None).await;
    assert!(
        list["sessions"].as_array().unwrap().is_empty(),
        "a check started a session"
    );
}

#[tokio::test]
async fn a_missing_required_field_is_400() {
    let server = Server::start();
    for missing in ["subject", "action", "resource"] {
        let mut body = in_session("s-1", "course.view");
        body.as_object_mut().unwrap().remove(missing);
        let (status, answer) = server.acme(Decide, "POST", "/access/v1/evaluation", Some(body)).await;
        assert_eq!(status, 400, "without {missing}: {answer}");
        assert!(answer["error"]["message"].as_str().unwrap().contains(missing));
    }
    let mut body = in_session("s-1", "course.view");
    body["subject"].as_object_mut().unwrap().remove("id");
    let (status, _) = server.acme(Decide, "POST", "/access/v1/evaluation", Some(body)).await;
    assert_eq!(status, 400);
    // In a batch, an item lacking what the defaults do not give is that
    // item's deny (issue 31, certification test c-3-4-1; it was a 400).
    let batch = json!({"action": {"name": "course.view"}, "evaluations": [{"subject": {"type": "impersonation_session", "id": "s-1"}}]});
    let (status, answer) = server.acme(Decide, "POST", "/access/v1/evaluations", Some(batch)).await;
    assert_eq!(status, 200);
    assert_eq!(answer["evaluations"][0]["decision"], false);
    assert_eq!(answer["evaluations"][0]["context"]["error"]["status"], 400);
}

#[tokio::test]
async fn questions_it_cannot_answer_are_denies_never_permits() {
    let server = Server::start();
    let (status, answer) = server
        .acme(
            Decide,
            "POST",
            "/access/v1/evaluation",
            Some(in_session("s-0000000000000000", "course.view")),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(answer["decision"], false);
    assert_eq!(answer["context"]["error"]["status"], 404);
    let odd = json!({"subject": {"type": "group", "id": "g"}, "action": {"name": "read"}, "resource": {"type": "doc", "id": "d"}});
    let (_, answer) = server.acme(Decide, "POST", "/access/v1/evaluation", Some(odd)).await;
    assert_eq!(answer["decision"], false);
}

#[tokio::test]
async fn evaluations_apply_defaults_and_the_three_semantics() {
    let server = Server::start();
    let id = server.session("u-42").await;
    let items = json!([
        {"action": {"name": "course.view"}},
        {"action": {"name": "billing.purchase"}},
        {"action": {"name": "report.generate"}},
    ]);
    let body = |semantic: &str| {
        json!({
            "subject": {"type": "impersonation_session", "id": id},
            "resource": {"type": "course", "id": "c-1"},
            "options": {"evaluations_semantic": semantic},
            "evaluations": items,
        })
    };
    let decisions = |answer: &Value| -> Vec<bool> {
        answer["evaluations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["decision"].as_bool().unwrap())
            .collect()
    };
    let (status, all) = server
        .acme(Decide, "POST", "/access/v1/evaluations", Some(body("execute_all")))
        .await;
    assert_eq!(status, 200, "{all}");
    assert_eq!(decisions(&all), [true, false, true]);
    let (_, first_deny) = server
        .acme(
            Decide,
            "POST",
            "/access/v1/evaluations",
            Some(body("deny_on_first_deny")),
        )
        .await;
    assert_eq!(decisions(&first_deny), [true, false]);
    let (_, first_permit) = server
        .acme(
            Decide,
            "POST",
            "/access/v1/evaluations",
            Some(body("permit_on_first_permit")),
        )
        .await;
    assert_eq!(decisions(&first_permit), [true]);
    // Each question answered is one audit event; those not run, none.
    let events = audit_events(&server, &id).await;
    assert_eq!(
        events.iter().filter(|e| e.starts_with("action.")).count(),
        3 + 2 + 1,
        "{events:?}"
    );
    let (status, _) = server
        .acme(Decide, "POST", "/access/v1/evaluations", Some(body("whatever")))
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn the_request_id_is_echoed_on_evaluations() {
    let server = Server::start();
    let response = server
        .http
        .post(server.url("/v1/tenants/acme/access/v1/evaluation"))
        .bearer_auth(server.key("acme", Decide))
        .header("x-request-id", "bfe9eb29-ab87-4ca3-be83-a1d5d8305716")
        .json(&may_start(json!(["super_admin"]), true))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["x-request-id"],
        "bfe9eb29-ab87-4ca3-be83-a1d5d8305716"
    );
}
