//! Impersonation tokens over HTTP: a start answers a token, the JWKS is
//! public, introspection is active only while the session runs.

use crate::support::{Server, start_request};
use standin::access::Scope::{Admin, Audit, Decide};

#[tokio::test]
async fn a_started_session_carries_a_token_that_introspects_active_until_it_ends() {
    let server = Server::with_tokens(3);
    let (status, started) = server
        .acme(Decide, "POST", "/sessions", Some(start_request("u-1", "u-42")))
        .await;
    assert_eq!(status, 201, "{started}");
    let token = started["token"].as_str().expect("a token").to_string();
    let id = started["id"].as_str().unwrap().to_string();

    let jwks: serde_json::Value = server
        .http
        .get(server.url("/.well-known/jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jwks["keys"][0]["kty"], "OKP");
    assert_eq!(jwks["keys"][0]["crv"], "Ed25519");

    let body = Some(serde_json::json!({ "token": token }));
    let (status, live) = server.acme(Audit, "POST", "/tokens/introspect", body.clone()).await;
    assert_eq!(status, 200, "{live}");
    assert_eq!(live["active"], true, "{live}");
    assert_eq!(
        (live["sub"].as_str(), live["act"]["sub"].as_str()),
        (Some("u-42"), Some("u-1"))
    );
    assert_eq!(live["sid"], id.as_str());
    // Another tenant's key asks about it: not its token.
    let (_, elsewhere) = server
        .call(
            "POST",
            "/v1/tenants/globex/tokens/introspect",
            Some(server.key("globex", Audit)),
            body.clone(),
        )
        .await;
    assert_eq!(elsewhere["active"], false, "{elsewhere}");

    let (status, _) = server.acme(Admin, "POST", &format!("/sessions/{id}/end"), None).await;
    assert_eq!(status, 200);
    let (_, ended) = server.acme(Audit, "POST", "/tokens/introspect", body).await;
    assert_eq!(
        ended,
        serde_json::json!({"active": false}),
        "inactive the moment the session ends"
    );
}

#[tokio::test]
async fn without_a_token_key_there_is_no_token_and_no_jwks() {
    let server = Server::start();
    let (status, started) = server
        .acme(Decide, "POST", "/sessions", Some(start_request("u-1", "u-42")))
        .await;
    assert_eq!(status, 201);
    assert!(started.get("token").is_none(), "{started}");
    let status = server
        .http
        .get(server.url("/.well-known/jwks.json"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 404);
}

/// The banner's two routes, and only they, take the session's own token
/// and answer another origin (CORS): the route table marks them, and the
/// checks, the CORS headers and the OpenAPI document all follow it.
#[tokio::test]
async fn s3_the_banner_routes_alone_take_the_session_token_from_any_origin() {
    let server = Server::with_tokens(5);
    let (_, started) = server
        .acme(Decide, "POST", "/sessions", Some(start_request("u-1", "u-42")))
        .await;
    let (id, token) = (started["id"].as_str().unwrap(), started["token"].as_str().unwrap());
    let origin = "https://app.example";
    let send = |method: &str, path: String, bearer: Option<&str>| {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = server
            .http
            .request(method, server.url(&path))
            .header("origin", origin)
            .header("access-control-request-method", "GET");
        if let Some(bearer) = bearer {
            request = request.bearer_auth(bearer);
        }
        request.send()
    };
    let allowed = |r: &reqwest::Response| {
        r.headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap().to_string())
    };
    let banner = format!("/v1/tenants/acme/sessions/{id}/banner");
    let preflight = send("OPTIONS", banner.clone(), None).await.unwrap();
    assert_eq!(preflight.status(), 204);
    assert_eq!(allowed(&preflight).as_deref(), Some("*"));
    let facts = send("GET", banner, Some(token)).await.unwrap();
    assert_eq!(facts.status(), 200);
    assert_eq!(allowed(&facts).as_deref(), Some("*"));

    // Another route of the same session: no CORS, no preflight, no token.
    for path in [
        format!("/v1/tenants/acme/sessions/{id}"),
        format!("/v1/tenants/acme/sessions/{id}/revoke"),
    ] {
        let preflight = send("OPTIONS", path.clone(), None).await.unwrap();
        assert_eq!(preflight.status(), 405, "{path}");
        assert_eq!(allowed(&preflight), None, "{path}");
        let method = if path.ends_with("revoke") { "POST" } else { "GET" };
        let refused = send(method, path.clone(), Some(token)).await.unwrap();
        assert_eq!(refused.status(), 401, "{path}");
        assert_eq!(allowed(&refused), None, "{path}");
    }

    // The end button: the token ends its own session, from another origin.
    let end = format!("/v1/tenants/acme/sessions/{id}/end");
    assert_eq!(send("OPTIONS", end.clone(), None).await.unwrap().status(), 204);
    let ended = send("POST", end, Some(token)).await.unwrap();
    assert_eq!(ended.status(), 200);
    assert_eq!(allowed(&ended).as_deref(), Some("*"));

    // The document says which routes those are.
    let (_, doc) = server.call("GET", "/openapi.json", None, None).await;
    let mut marked: Vec<String> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op["x-standin-session-token"] == true {
                marked.push(format!("{method} {path}"));
            }
        }
    }
    marked.sort();
    assert_eq!(
        marked,
        [
            "get /v1/tenants/{t}/sessions/{id}/banner",
            "post /v1/tenants/{t}/sessions/{id}/end"
        ]
    );
}
