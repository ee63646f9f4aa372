//! Impersonation tokens over HTTP: a start answers a token, the JWKS is
//! public, introspection is active only while the session runs.

use crate::support::{Server, start_request};
use standin::keys::Scope::{Admin, Audit, Decide};

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
