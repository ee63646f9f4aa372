//! Constrained sessions over HTTP (SC1, SC2, IT1): a scoped start, its
//! scope in the session, the banner and the answers; and the settings
//! schema of a tenant's own component (the console's form for it).

use crate::support::{Server, codes, start_request};
use base64::Engine as _;
use serde_json::json;
use standin::access::Scope::{Admin, Decide};

#[tokio::test]
async fn sc2_a_scoped_session_over_http_allows_only_its_scope() {
    let server = Server::start();
    let mut request = start_request("u-1", "u-42");
    request["scope"] = json!({"actions": ["report.*"], "resources": ["account:17"]});
    let (status, session) = server.acme(Decide, "POST", "/sessions", Some(request)).await;
    assert_eq!(status, 201, "{session}");
    assert_eq!(
        session["scope"],
        json!({"actions": ["report.*"], "resources": ["account:17"]})
    );
    let id = session["id"].as_str().unwrap().to_string();
    let (_, banner) = server
        .acme(Decide, "GET", &format!("/sessions/{id}/banner"), None)
        .await;
    assert_eq!(banner["scope"]["actions"], json!(["report.*"]));
    let authorize = |action: &'static str, resource: &'static str| {
        let (server, id) = (&server, id.clone());
        async move {
            server
                .acme(
                    Decide,
                    "POST",
                    &format!("/sessions/{id}/authorize"),
                    Some(json!({"action": action, "resource": resource})),
                )
                .await
                .1
        }
    };
    assert_eq!(authorize("report.view", "account:17").await["decision"], "allow");
    let outside = authorize("user.delete", "account:17").await;
    assert_eq!(codes(&outside), ["outside-session-scope"]);
    let elsewhere = authorize("report.view", "account:18").await;
    assert_eq!(codes(&elsewhere), ["outside-session-scope"]);

    // A malformed scope is a 400-free deny naming the field, as every
    // invalid request is.
    let mut bad = start_request("u-2", "u-43");
    bad["scope"] = json!({"actions": ["Report.view"]});
    let (_, deny) = server.acme(Decide, "POST", "/sessions", Some(bad)).await;
    assert_eq!(codes(&deny), ["invalid-request"], "{deny}");
    assert!(
        deny["reasons"][0]["message"]
            .as_str()
            .unwrap()
            .contains("`scope.actions[0]`")
    );
}

#[tokio::test]
async fn a_custom_component_s_settings_schema_is_served_and_its_settings_change_by_digest() {
    let server = Server::start();
    // The built-in policy: its schema, as the global one.
    let (status, builtin) = server.acme(Admin, "GET", "/settings-schema", None).await;
    assert_eq!(status, 200);
    assert!(builtin["properties"]["impersonator_roles"].is_object());

    let bytes = standin_tests::component(standin_tests::MISCHIEF);
    let upload = json!({
        "component_base64": base64::engine::general_purpose::STANDARD.encode(bytes),
        "activate": true,
    });
    let (status, version) = server.acme(Admin, "POST", "/policies", Some(upload)).await;
    assert_eq!(status, 201, "{version}");
    let (status, schema) = server.acme(Admin, "GET", "/settings-schema", None).await;
    assert_eq!(status, 200, "{schema}");
    assert_eq!(schema["properties"]["mood"]["enum"], json!(["calm", "wild"]));

    // New settings for the same component, by its digest.
    let digest = version["digest"].as_str().unwrap();
    let again = json!({"component_digest": digest, "settings": {"mood": "calm"}});
    let (status, next) = server.acme(Admin, "POST", "/policies", Some(again)).await;
    assert_eq!(status, 201, "{next}");
    assert_eq!(next["digest"], digest);
    let unknown = json!({"component_digest": "sha256:00"});
    let (status, _) = server.acme(Admin, "POST", "/policies", Some(unknown)).await;
    assert_eq!(status, 404);
}

/// SC2 at the gateway: forward-auth asks the session, so a route outside
/// the session's scope is refused (403) though the policy would allow it;
/// the token names the scope for whoever reads it.
#[tokio::test]
async fn sc2_forward_auth_refuses_a_route_outside_the_session_s_scope() {
    let server = Server::with_tokens(5);
    let table = "GET /reports/** -> report.view\nGET /courses/** -> course.view\n";
    let (status, set) = server.acme(Admin, "PUT", "/routes", Some(json!({"text": table}))).await;
    assert_eq!(status, 200, "{set}");
    let mut request = start_request("u-1", "u-42");
    request["scope"] = json!({"actions": ["report.*"]});
    let (status, session) = server.acme(Decide, "POST", "/sessions", Some(request)).await;
    assert_eq!(status, 201, "{session}");
    let token = session["token"].as_str().expect("a token");
    let payload = token.split('.').nth(1).expect("a JWT");
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .expect("base64url"),
    )
    .expect("claims");
    assert_eq!(claims["session_scope"], json!({"actions": ["report.*"]}));

    let ask = |uri: &'static str| {
        let request = server
            .http
            .get(server.url("/v1/forward-auth"))
            .header("x-original-method", "GET")
            .header("x-original-uri", uri)
            .bearer_auth(token);
        async move {
            let answer = request.send().await.unwrap();
            let status = answer.status().as_u16();
            (status, answer.json::<serde_json::Value>().await.unwrap_or_default())
        }
    };
    assert_eq!(ask("/reports/7").await.0, 200);
    let (status, body) = ask("/courses/7").await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(codes(&body), ["outside-session-scope"]);
}

/// SC1 through AuthZEN: a start question may carry `context.scope`, and the
/// answer says the scope (and idle timeout) it would grant.
#[tokio::test]
async fn sc1_an_authzen_start_question_names_the_scope_it_would_grant() {
    let server = Server::start();
    let (status, _) = server
        .acme(
            Admin,
            "POST",
            "/policies",
            Some(json!({"settings": {"idle_timeout_seconds": 600}, "activate": true})),
        )
        .await;
    assert_eq!(status, 201);
    let question = json!({
        "subject": {"type": "user", "id": "u-1", "properties": {"roles": ["super_admin"]}},
        "action": {"name": "impersonate"},
        "resource": {"type": "user", "id": "u-42", "properties": {"active": true, "has_logged_in": true}},
        "context": {"reason": "SUP-9", "scope": {"actions": ["report.*"]}},
    });
    let (status, answer) = server
        .acme(Decide, "POST", "/access/v1/evaluation", Some(question))
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["decision"], true, "{answer}");
    assert_eq!(answer["context"]["grant"]["scope"], json!({"actions": ["report.*"]}));
    assert_eq!(answer["context"]["grant"]["idle_timeout_seconds"], 600);
}
