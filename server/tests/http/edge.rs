//! Forward-auth over real HTTP (the gateways' own checks, nginx and Caddy
//! in front of an upstream, are `scripts/suites/edge.sh`): the route table
//! names the action, the session's policy decides, and everything that is
//! not an allow of a genuine, active impersonation token is a refusal; a
//! request with no impersonation token passes untouched (FA1). Route
//! tables are checked on upload (FA2).

use crate::support::Server;
use reqwest::StatusCode;
use serde_json::{Value, json};
use standin::access::Scope::{Admin, Audit, Decide};

async fn ask(
    server: &Server,
    method: &str,
    uri: &str,
    token: Option<&str>,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let mut request = server
        .http
        .get(server.url("/v1/forward-auth"))
        .header("x-original-method", method)
        .header("x-original-uri", uri);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let answer = request.send().await.unwrap();
    let (status, headers) = (answer.status(), answer.headers().clone());
    let body = answer.json::<Value>().await.unwrap_or(Value::Null);
    (status, headers, body)
}

async fn started(server: &Server, target: &str) -> (String, String) {
    let (status, body) = server
        .acme(
            Decide,
            "POST",
            "/sessions",
            Some(crate::support::start_request("u-1", target)),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    (
        body["id"].as_str().unwrap().to_string(),
        body["token"].as_str().expect("a token").to_string(),
    )
}

#[tokio::test]
async fn fa1_forward_auth_allows_denies_and_refuses_by_the_route_table() {
    let server = Server::with_tokens(3);
    let table = "POST /billing/** -> billing.purchase\nGET /reports/** -> course.view\n";
    let (status, set) = server.acme(Admin, "PUT", "/routes", Some(json!({"text": table}))).await;
    assert_eq!(status, 200, "{set}");
    let (id, token) = started(&server, "u-42").await;

    let (status, headers, _) = ask(&server, "GET", "/reports/7?x=1", Some(&token)).await;
    assert_eq!(status, 200);
    assert_eq!(headers["x-standin-acting-as"], "u-42");
    assert_eq!(headers["x-standin-on-behalf-of"], "u-1");
    assert_eq!(headers["x-standin-session"], id.as_str());

    let (status, _, body) = ask(&server, "POST", "/billing/charge", Some(&token)).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["reasons"][0]["code"], "forbidden-action", "{body}");
    let events = server.events("acme", "").await;
    assert!(events.contains(&"action.denied".to_string()), "audited: {events:?}");

    for (method, uri) in [
        ("DELETE", "/reports/7"),
        ("GET", "/admin"),
        ("GET", "/reports/../billing/charge"),
    ] {
        let (status, _, body) = ask(&server, method, uri, Some(&token)).await;
        assert_eq!(
            (status, body["reasons"][0]["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("no-route")),
            "{method} {uri}: {body}"
        );
    }
    // Each is in the session's trail: the request line, denied `no-route`.
    let key = server.key("acme", Audit).to_string();
    let trail = server
        .text(&format!("/v1/tenants/acme/audit?session={id}"), Some(&key))
        .await;
    let unrouted: Vec<Value> = trail
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| e["action"] == "route.unmatched")
        .collect();
    assert_eq!(unrouted.len(), 3, "{trail}");
    assert_eq!(unrouted[0]["event"], "action.denied");
    assert_eq!(unrouted[0]["resource"], "DELETE /reports/7");
    assert_eq!(unrouted[0]["codes"], json!(["no-route"]), "{trail}");

    // No impersonation token, or someone else's: not Standin's request.
    let (status, headers, _) = ask(&server, "POST", "/billing/charge", None).await;
    assert_eq!(status, 200);
    assert!(headers.get("x-standin-acting-as").is_none());
    let foreign = format!(
        "eyJhbGciOiJSUzI1NiJ9.{}.c2ln",
        base64_url(&json!({"iss": "https://idp.example", "sub": "u-9"}))
    );
    assert_eq!(ask(&server, "GET", "/reports/1", Some(&foreign)).await.0, 200);

    // A forged Standin token, another server's, an ended session's: 401.
    let forged = format!(
        "{}{}",
        &token[..token.len() - 4],
        if token.ends_with("AAAA") { "BBBB" } else { "AAAA" }
    );
    assert_eq!(ask(&server, "GET", "/reports/1", Some(&forged)).await.0, 401);
    let other = Server::with_tokens(4);
    let (_, other_token) = started(&other, "u-42").await;
    assert_eq!(ask(&server, "GET", "/reports/1", Some(&other_token)).await.0, 401);
    server.acme(Decide, "POST", &format!("/sessions/{id}/end"), None).await;
    let (status, headers, _) = ask(&server, "GET", "/reports/1", Some(&token)).await;
    assert_eq!(status, 401);
    assert_eq!(headers["www-authenticate"], "Bearer");
    let _ = Audit;
}

#[tokio::test]
async fn fa2_route_tables_are_checked_on_upload_and_read_back() {
    let server = Server::with_tokens(3);
    let (status, body) = server
        .acme(
            Admin,
            "PUT",
            "/routes",
            Some(json!({"text": "GET /a -> read\nGET a -> read"})),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("line 2"), "{body}");
    let (status, body) = server
        .acme(
            Admin,
            "PUT",
            "/routes",
            Some(json!({"routes": [{"method": "get", "path": "/**", "action": "read"}]})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, table) = server.acme(Admin, "GET", "/routes", None).await;
    assert_eq!(
        table["routes"],
        json!([{"method": "GET", "path": "/**", "action": "read"}])
    );
    let (status, _) = server.acme(Decide, "GET", "/routes", None).await;
    assert_eq!(status, 403);
    // No table at all: every impersonated request is no-route.
    let (_, token) = started(&server, "u-42").await;
    let (_, none) = server
        .call(
            "GET",
            "/v1/tenants/globex/routes",
            Some(server.key("globex", Admin)),
            None,
        )
        .await;
    assert_eq!(none["routes"], json!([]));
    let (status, _, _) = ask(&server, "GET", "/anything", Some(&token)).await;
    assert_eq!(status, 200, "acme's table has a catch-all");
}

fn base64_url(v: &Value) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

#[tokio::test]
async fn fa3_envoy_asks_with_the_original_request_line_under_the_prefix() {
    let server = Server::with_tokens(3);
    let table = "POST /billing/** -> billing.purchase\n* /reports/** -> course.view\n";
    let (status, set) = server.acme(Admin, "PUT", "/routes", Some(json!({"text": table}))).await;
    assert_eq!(status, 200, "{set}");
    let (id, token) = started(&server, "u-42").await;
    let envoy = |method: &str, path: &str| {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        server
            .http
            .request(method, server.url(&format!("/v1/forward-auth{path}")))
            .bearer_auth(&token)
    };
    let answer = envoy("GET", "/reports/7?x=1").send().await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["x-standin-session"], id.as_str());
    let answer = envoy("DELETE", "/reports/7").send().await.unwrap();
    assert_eq!(answer.status(), 200, "any method, as the route table says");
    let answer = envoy("POST", "/billing/charge").send().await.unwrap();
    assert_eq!(answer.status(), 403);
    // A client's own forwarded headers do not name another request here.
    let answer = envoy("POST", "/billing/charge")
        .header("x-original-method", "GET")
        .header("x-original-uri", "/reports/7")
        .header("x-forwarded-uri", "/reports/7")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 403, "the request line is the original");
    // No impersonation token: passes untouched, as the other form.
    let answer = server
        .http
        .post(server.url("/v1/forward-auth/billing/charge"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
}

#[tokio::test]
async fn fa4_a_tenant_may_refuse_requests_without_an_impersonation_token() {
    let server = Server::with_tokens(3);
    let table = "# every request through this gateway is an impersonation\ntokenless deny\n* /** -> course.view\n";
    let (status, set) = server.acme(Admin, "PUT", "/routes", Some(json!({"text": table}))).await;
    assert_eq!((status, &set["tokenless"]), (200, &json!("deny")), "{set}");
    let (_, token) = started(&server, "u-42").await;
    let through = |tenant: Option<&'static str>, token: Option<String>| {
        let mut request = server
            .http
            .get(server.url("/v1/forward-auth"))
            .header("x-original-method", "GET")
            .header("x-original-uri", "/reports");
        if let Some(tenant) = tenant {
            request = request.header("x-standin-tenant", tenant);
        }
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move { request.send().await.unwrap().status() }
    };
    assert_eq!(
        through(Some("acme"), None).await,
        401,
        "acme's gateway takes impersonations only"
    );
    assert_eq!(through(None, None).await, 200, "a gateway that names no tenant: passed");
    assert_eq!(through(Some("globex"), None).await, 200, "globex has no such line");
    assert_eq!(through(Some("acme"), Some(token.clone())).await, 200);
    assert_eq!(
        through(Some("globex"), Some(token)).await,
        401,
        "acme's token at globex's gateway"
    );
    // Read back, and turned off over the API.
    let (_, read) = server.acme(Admin, "GET", "/routes", None).await;
    assert_eq!(read["tokenless"], "deny");
    let (status, set) = server
        .acme(
            Admin,
            "PUT",
            "/routes",
            Some(json!({"text": table, "tokenless": "pass"})),
        )
        .await;
    assert_eq!((status, &set["tokenless"]), (200, &json!("pass")), "{set}");
    assert_eq!(through(Some("acme"), None).await, 200);
}
